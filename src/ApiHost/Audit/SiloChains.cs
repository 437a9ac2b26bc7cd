using System.Globalization;
using Npgsql;
using OrleansLicenses.Audit;

namespace OrleansLicenses.ApiHost.Audit;

/// <summary>
/// The silos' audit chains (<c>audit_chains</c>, migration 0011): each silo process appends the records it commits
/// itself — a verification's audit record with its use record — to a chain of its own, so no row serializes the
/// cluster. They are cross-anchored in the main chain: the checkpointer appends an <c>anchor</c> record naming every
/// silo chain's head (<c>chain:seq:hash</c>), and the main chain is signed as before. The verifier walks every silo
/// chain from its genesis hash and checks it against its head and against every anchor naming it; so a silo chain
/// deleted, truncated or rewritten before its last anchor is reported, like the main chain before its checkpoint.
/// </summary>
public static class SiloChains
{
    public const string AnchorKind = "anchor";
    public const string AnchorAction = "AnchorSiloChains";
    private const string AnchorPrefix = "chains:";

    public sealed record Report(int Chains, long Records, AuditBreak? Break);

    private sealed record Head(string ChainId, long Seq, byte[] Hash);

    /// <summary>An anchor record for the current silo chain heads, or null when none moved since the last anchor.</summary>
    public static async Task<AuditEntry?> AnchorEntryAsync(NpgsqlDataSource dataSource, TimeProvider time, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        var heads = (await ReadHeadsAsync(connection, tx, ct)).Where(h => h.Seq > 0).ToList();
        var anchored = await ReadAnchorsAsync(connection, tx, ct);
        await tx.CommitAsync(ct);
        var moved = heads.Where(h => !anchored.TryGetValue(h.ChainId, out var a) || !a.ContainsKey(h.Seq)).ToList();
        if (moved.Count == 0)
        {
            return null;
        }

        var resource = AnchorPrefix + string.Join(';', moved.Select(h => $"{h.ChainId}:{h.Seq.ToString(CultureInfo.InvariantCulture)}:{Convert.ToHexStringLower(h.Hash)}"));
        return new AuditEntry(AuditChain.Truncate(time.GetUtcNow()), "checkpoint", "platform:audit-checkpointer", null, null, null, null,
            AnchorKind, AnchorAction, resource, AuditOutcomes.Succeeded, null, null, null);
    }

    /// <summary>Verifies every silo chain inside the caller's snapshot.</summary>
    public static async Task<Report> VerifyAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken ct)
    {
        var heads = await ReadHeadsAsync(connection, tx, ct);
        var anchors = await ReadAnchorsAsync(connection, tx, ct);
        long records = 0;
        if (anchors.Keys.FirstOrDefault(chain => heads.All(h => h.ChainId != chain)) is { } vanished)
        {
            var seq = anchors[vanished].Keys.Min();
            return new Report(heads.Count, 0, new AuditBreak(1, AuditBreakReasons.Truncated,
                $"the main chain anchors record {seq} of chain {vanished}, which no longer exists", vanished));
        }

        foreach (var head in heads)
        {
            var anchored = anchors.GetValueOrDefault(head.ChainId) ?? [];
            var walk = await ChainStore.WalkAsync(connection, tx, 0, AuditChain.GenesisOf(head.ChainId), null, anchored, ct, head.ChainId);
            records += walk.Count;
            var broken = walk.Break is { } b ? b with { Chain = head.ChainId, Detail = $"chain {head.ChainId}: {b.Detail}" }
                : anchored.Keys.Where(s => s > walk.LastSeq).Select(s => new AuditBreak(walk.LastSeq + 1, AuditBreakReasons.Truncated,
                    $"chain {head.ChainId}: an anchor names record {s}, but the chain ends at record {walk.LastSeq}", head.ChainId)).FirstOrDefault()
                ?? (head.Seq != walk.LastSeq || (head.Seq > 0 && !head.Hash.AsSpan().SequenceEqual(walk.LastHash))
                    ? new AuditBreak(Math.Min(head.Seq, walk.LastSeq) + 1, head.Seq > walk.LastSeq ? AuditBreakReasons.Truncated : AuditBreakReasons.HeadMismatch,
                        $"chain {head.ChainId}: the head names record {head.Seq}, the chain ends at record {walk.LastSeq}", head.ChainId)
                    : null);
            if (broken is not null)
            {
                return new Report(heads.Count, records, broken);
            }
        }

        return new Report(heads.Count, records, null);
    }

    private static async Task<List<Head>> ReadHeadsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT chain_id, seq, hash FROM audit_chains ORDER BY chain_id", connection, tx);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var heads = new List<Head>();
        while (await reader.ReadAsync(ct))
        {
            heads.Add(new Head(reader.GetString(0), reader.GetInt64(1), reader.GetFieldValue<byte[]>(2)));
        }

        return heads;
    }

    /// <summary>Every anchored (seq, hash) per silo chain, from the main chain's anchor records.</summary>
    private static async Task<Dictionary<string, Dictionary<long, byte[]>>> ReadAnchorsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            "SELECT resource FROM audit_records WHERE chain_id = 'main' AND kind = $1 AND action = $2 ORDER BY seq", connection, tx);
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = AnchorKind });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = AnchorAction });
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var anchors = new Dictionary<string, Dictionary<long, byte[]>>(StringComparer.Ordinal);
        while (await reader.ReadAsync(ct))
        {
            var text = reader.GetString(0);
            if (!text.StartsWith(AnchorPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var part in text[AnchorPrefix.Length..].Split(';', StringSplitOptions.RemoveEmptyEntries))
            {
                var fields = part.Split(':');
                if (fields.Length == 3 && long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var seq))
                {
                    (anchors.TryGetValue(fields[0], out var chain) ? chain : anchors[fields[0]] = [])[seq] = Convert.FromHexString(fields[2]);
                }
            }
        }

        return anchors;
    }
}
