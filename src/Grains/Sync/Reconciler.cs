using OrleansLicenses.Identifiers;

namespace OrleansLicenses.Sync;

/// <summary>What a reconciliation found and did.</summary>
public sealed record ReconcileReport(
    string Issuer,
    DateOnly? From,
    DateOnly? To,
    SyncDigest LocalBefore,
    SyncDigest UpstreamBefore,
    IReadOnlyList<DateOnly> DifferingDays,
    IReadOnlyList<string> Pushed,
    IReadOnlyList<string> OnlyUpstream,
    IReadOnlyList<SyncRejection> Rejected,
    SyncDigest UpstreamAfter,
    bool EqualAfter);

/// <summary>
/// Compares the local and the upstream digest of an issuer, narrows the difference down to issue days and then to
/// licences (leaves of those days only), and pushes those licences' newest changes again.
/// </summary>
public sealed class Reconciler(DigestQuery local, FeedReader feed, UpstreamClient upstream, UpstreamOptions options)
{
    public async Task<ReconcileReport> RunAsync(string issuer, DateOnly? from, DateOnly? to, CancellationToken ct)
    {
        var localLeaves = (await local.LeavesAsync(issuer, from, to, ct)).Select(l => l.Leaf).ToList();
        var localDigest = DigestQuery.Digest(issuer, from, to, localLeaves, false);
        var remote = await upstream.DigestAsync(options, issuer, from, to, false, ct);
        var remoteDays = remote.Days.ToDictionary(d => d.Day);
        var localDays = localDigest.Days.ToDictionary(d => d.Day);
        var differing = remoteDays.Keys.Union(localDays.Keys)
            .Where(d => !localDays.TryGetValue(d, out var a) || !remoteDays.TryGetValue(d, out var b) || a.Count != b.Count || a.Root != b.Root)
            .Order().ToList();

        var toPush = new List<string>();
        var onlyUpstream = new List<string>();
        foreach (var day in differing)
        {
            var mine = localLeaves.Where(l => l.Day == day).ToDictionary(l => l.Identifier, StringComparer.Ordinal);
            var theirs = (await upstream.DigestAsync(options, issuer, day, day, true, ct)).Leaves ?? [];
            var theirsByNumber = theirs.ToDictionary(l => LicenseIdentifier.Parse(l.Identifier).Number, StringComparer.Ordinal);
            foreach (var leaf in mine.Values)
            {
                var number = LicenseIdentifier.Parse(leaf.Identifier).Number;
                if (!theirsByNumber.TryGetValue(number, out var other) || other != leaf)
                {
                    toPush.Add(number);
                }
            }

            var mineByNumber = mine.Values.Select(l => LicenseIdentifier.Parse(l.Identifier).Number).ToHashSet(StringComparer.Ordinal);
            onlyUpstream.AddRange(theirsByNumber.Keys.Where(n => !mineByNumber.Contains(n)));
        }

        var rejected = new List<SyncRejection>();
        foreach (var chunk in (await feed.LatestAsync(toPush, ct)).Chunk(Math.Max(1, options.BatchSize)))
        {
            var id = "reconcile-" + MerkleTree.DocumentHash(string.Join('\n', chunk.Select(c => $"{c.LicenseNumber}:{c.Record.LicenseSeq}")))[..32];
            var result = await upstream.PushAsync(options, new SyncBatch(id, options.SourceRegion ?? "", [.. chunk.Select(c => c.Record)]), ct);
            rejected.AddRange(result.Rejected);
        }

        var after = differing.Count == 0 ? remote : await upstream.DigestAsync(options, issuer, from, to, false, ct);
        return new ReconcileReport(issuer, from, to, localDigest, remote, differing, toPush, onlyUpstream, rejected, after,
            after.Count == localDigest.Count && after.Root == localDigest.Root);
    }
}
