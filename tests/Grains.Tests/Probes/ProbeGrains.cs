using OrleansLicenses.Hosting;

namespace OrleansLicenses.Tests.Probes;

/// <summary>Test-only grains that persist a value, to prove what the storage provider and the cluster guarantee.</summary>
public interface IProbeGrain
{
    Task SetAsync(string value);

    Task<string?> GetAsync();

    Task<SiloAddress> GetSiloAsync();

    Task DeactivateAsync();
}

public interface IProbeAGrain : IProbeGrain, IGrainWithStringKey;

public interface IProbeBGrain : IProbeGrain, IGrainWithStringKey;

public sealed class ProbeState
{
    public string? Value { get; set; }
}

public abstract class ProbeGrainBase(IPersistentState<ProbeState> state, ILocalSiloDetails silo) : Grain
{
    public async Task SetAsync(string value)
    {
        state.State.Value = value;
        await state.WriteStateAsync();
    }

    public Task<string?> GetAsync() => Task.FromResult(state.State.Value);

    public Task<SiloAddress> GetSiloAsync() => Task.FromResult(silo.SiloAddress);

    public Task DeactivateAsync()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }
}

// Both grain types deliberately use the same state name: the storage key must still keep them apart
// (dotnet/orleans #9737); our schema includes the grain type in the unique key.
public sealed class ProbeAGrain([PersistentState("probe", StorageNames.Store)] IPersistentState<ProbeState> state, ILocalSiloDetails silo)
    : ProbeGrainBase(state, silo), IProbeAGrain;

public sealed class ProbeBGrain([PersistentState("probe", StorageNames.Store)] IPersistentState<ProbeState> state, ILocalSiloDetails silo)
    : ProbeGrainBase(state, silo), IProbeBGrain;
