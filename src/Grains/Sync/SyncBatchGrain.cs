using OrleansLicenses.Access;
using OrleansLicenses.Errors;
using OrleansLicenses.Hosting;
using OrleansLicenses.Identifiers;

namespace OrleansLicenses.Sync;

/// <summary>
/// Receives one batch of one sync client (key <c>{client id}/{batch id}</c>). A batch received before answers its first
/// result and applies nothing. Otherwise each licence's records go to that licence's grain in the source's
/// per-licence order (different licences at once); the result is recorded after they were applied, so a batch whose
/// answer was lost and is sent again changes nothing the second time either (the licences ignore records they hold).
/// </summary>
public sealed class SyncBatchGrain(SyncBatchStore store) : Grain, ISyncBatchGrain
{
    async Task<SyncBatchResult> ISyncBatchGrain.ReceiveAsync(SyncBatch batch, Caller caller)
    {
        if (caller.Role != Roles.Sync || caller.RegionCode is null || this.GetPrimaryKeyString() != $"{caller.Subject}/{batch.BatchId}")
        {
            throw DomainException.Forbidden("license.forbidden", "Only the sync client that sends a batch may deliver it.");
        }

        if (await store.FindAsync(caller.Subject, batch.BatchId) is { } first)
        {
            return first with { Duplicate = true };
        }

        var rejected = new List<SyncRejection>();
        int applied = 0, unchanged = 0;
        if (!Regions.IsWithin(batch.SourceRegion, caller.RegionCode))
        {
            rejected.AddRange(batch.Records.Select((r, i) => new SyncRejection(i, r.Identifier, r.LicenseSeq, SyncReasons.RegionOutside,
                $"source region {batch.SourceRegion} is not inside the sync client's region {caller.RegionCode}")));
        }
        else
        {
            var lanes = new Dictionary<string, List<(int Index, SyncRecord Record)>>(StringComparer.Ordinal);
            foreach (var (record, index) in batch.Records.Select((r, i) => (r, i)))
            {
                if (!LicenseIdentifier.TryParse(record.Identifier, out var identifier, out var error))
                {
                    rejected.Add(new SyncRejection(index, record.Identifier, record.LicenseSeq, SyncReasons.IdentifierInvalid, error));
                    continue;
                }

                if (!lanes.TryGetValue(identifier.Number, out var lane))
                {
                    lanes[identifier.Number] = lane = [];
                }

                lane.Add((index, record));
            }

            var outcomes = await Task.WhenAll(lanes.Select(l => ApplyLaneAsync(l.Key, l.Value, batch.SourceRegion, caller)));
            foreach (var (index, record, outcome) in outcomes.SelectMany(o => o))
            {
                if (outcome.Reason is { } reason)
                {
                    rejected.Add(new SyncRejection(index, record.Identifier, record.LicenseSeq, reason, outcome.Detail ?? ""));
                }
                else if (outcome.Applied)
                {
                    applied++;
                }
                else
                {
                    unchanged++;
                }
            }
        }

        var result = new SyncBatchResult(batch.BatchId, false, applied, unchanged, [.. rejected.OrderBy(r => r.Index)]);
        await store.SaveAsync(caller.Subject, result);
        return result;
    }

    private async Task<List<(int Index, SyncRecord Record, AggregateOutcome Outcome)>> ApplyLaneAsync(
        string licenseNumber, List<(int Index, SyncRecord Record)> lane, string source, Caller caller)
    {
        var grain = GrainFactory.Get<ILicenseAggregationGrain>(licenseNumber);
        var outcomes = new List<(int, SyncRecord, AggregateOutcome)>(lane.Count);
        foreach (var (index, record) in lane.OrderBy(l => l.Record.LicenseSeq))
        {
            outcomes.Add((index, record, await grain.AggregateAsync(record, source, caller)));
        }

        return outcomes;
    }
}
