using Npgsql;

namespace OrleansLicenses.ReadModel;

/// <summary>
/// The one way a grain's read model is kept: the rows its state implies are written by the grain storage in the same
/// transaction as the state, so the read model is never behind or ahead of the grain and nothing has to repair it.
/// A licence does the same in <see cref="Licenses.LicenseStore"/> (with its change-feed entry); units, licence
/// types and the root CA through <c>PlatformGrainStorage</c> and a projector registered for their state type.
/// </summary>
public interface IReadModelProjector
{
    /// <summary>The grain state class whose writes this projector accompanies.</summary>
    Type StateType { get; }

    /// <summary>The upserts for <paramref name="state"/> of the grain keyed <paramref name="grainKey"/>; empty when it has no row.</summary>
    IReadOnlyList<NpgsqlBatchCommand> Rows(string grainKey, object state);
}

/// <summary>A projector for one state class.</summary>
public abstract class ReadModelProjector<TState> : IReadModelProjector
{
    public Type StateType => typeof(TState);

    public IReadOnlyList<NpgsqlBatchCommand> Rows(string grainKey, object state) => Rows(grainKey, (TState)state);

    protected abstract IReadOnlyList<NpgsqlBatchCommand> Rows(string grainKey, TState state);
}
