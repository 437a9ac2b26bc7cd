using OrleansLicenses.Access;
using OrleansLicenses.Hosting;
using OrleansLicenses.Licenses;

namespace OrleansLicenses.Sync;

/// <summary>What a licence did with one pushed record.</summary>
[GenerateSerializer, Immutable, Alias("ol.AggregateOutcome")]
public sealed record AggregateOutcome(
    [property: Id(0)] bool Applied,
    [property: Id(1)] string? Reason = null,
    [property: Id(2)] string? Detail = null);

/// <summary>The receiving side of aggregation on the licence grain; only the silos' batch receiver calls it.</summary>
[SiloInternal]
public interface ILicenseAggregationGrain : IGrainWithStringKey
{
    /// <summary>Checks the record and applies it if it is newer than what the licence holds; never moves the licence back.</summary>
    Task<AggregateOutcome> AggregateAsync(SyncRecord record, string sourceLibrary, Caller caller);
}

/// <summary>
/// How a checked record changes an aggregated licence's state. A record newer than the last one applied (by the
/// source's per-licence sequence) sets the lifecycle and adds its version; an older or repeated one only adds a
/// version the licence lacks (a record that arrived out of order), and otherwise changes nothing.
/// </summary>
public static class LicenseAggregation
{
    /// <summary>Why the record cannot apply to this licence at all, or null.</summary>
    public static AggregateOutcome? Refusal(LicenseState state, CheckedRecord record, string sourceLibrary)
    {
        if (state.Lifecycle is null)
        {
            return null;
        }

        if (state.SourceLibrary is null)
        {
            return new AggregateOutcome(false, SyncReasons.LocalLicense, "this library issued a licence under the same number");
        }

        if (state.SourceLibrary != sourceLibrary)
        {
            return new AggregateOutcome(false, SyncReasons.OtherSource, $"the licence was aggregated from {state.SourceLibrary}");
        }

        var known = state.Versions.FirstOrDefault(v => v.Version == record.Version.Version);
        return known is not null && known.Canonical != record.Version.Canonical
            ? new AggregateOutcome(false, SyncReasons.DocumentMismatch, $"another document of version {known.Version} was aggregated before")
            : null;
    }

    /// <summary>Applies the record; false when it changes nothing.</summary>
    public static bool Apply(LicenseState state, CheckedRecord record, string sourceLibrary, string actor)
    {
        var r = record.Record;
        var added = false;
        if (!state.Versions.Any(v => v.Version == record.Version.Version))
        {
            state.Versions.Add(record.Version);
            state.Versions.Sort((a, b) => string.CompareOrdinal(a.Version, b.Version));
            for (var i = 0; i < state.Versions.Count; i++)
            {
                state.Versions[i].SupersededBy = i + 1 < state.Versions.Count ? state.Versions[i + 1].Identifier : null;
            }

            added = true;
        }

        if (state.Lifecycle is not null && r.LicenseSeq <= state.SourceSeq)
        {
            return added;
        }

        if (state.Lifecycle is null)
        {
            state.TypeCode = record.Identifier.TypeCode;
            state.IssuerCode = record.Identifier.IssuerCode;
            state.Serial = record.Identifier.Serial;
            state.SourceLibrary = sourceLibrary;
        }

        var l = r.Lifecycle;
        // The newest change names the newest version (versions only go up), which is the last one held.
        var versionNumber = int.Parse(state.Versions[^1].Version, System.Globalization.CultureInfo.InvariantCulture);
        state.Lifecycle = new Lifecycle(record.Status, l.ValidFrom, l.ValidUntil, l.SuspendedUntil, l.Mortgaged, l.Pledged, versionNumber,
            l.LastInspectionDate, l.LastInspectionResult, l.StatusReason);
        state.IssuerRegion = r.IssuerRegion;
        state.IssuedAt = r.IssuedAt;
        state.SourceSeq = r.LicenseSeq;
        state.History.Add(new LicenseHistoryState(r.OccurredAt, actor, r.Operation, l.StatusReason, record.Version.Version, record.Version.Identifier, r.Status));
        return true;
    }
}
