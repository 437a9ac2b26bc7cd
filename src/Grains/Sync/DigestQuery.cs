using Npgsql;
using OrleansLicenses.Hosting;
using OrleansLicenses.Licenses;

namespace OrleansLicenses.Sync;

/// <summary>
/// The leaves of a consistency digest, read from the change feed: per licence of the issuer its newest change (the
/// current version's identifier, version, stored status and signed document), on the day it was first issued (China
/// Standard Time). An aggregated licence keeps its source's issue time, so both libraries put it on the same day.
/// </summary>
public sealed class DigestQuery(NpgsqlDataSource dataSource)
{
    public async Task<List<(DigestLeaf Leaf, string Region)>> LeavesAsync(string issuer, DateOnly? from, DateOnly? to, CancellationToken ct = default)
    {
        var start = from is { } f ? new DateTimeOffset(f.ToDateTime(TimeOnly.MinValue), PlatformClock.Offset) : DateTimeOffset.MinValue.AddDays(1);
        var end = to is { } t ? new DateTimeOffset(t.AddDays(1).ToDateTime(TimeOnly.MinValue), PlatformClock.Offset) : DateTimeOffset.MaxValue.AddDays(-1);
        try
        {
            await using var cmd = dataSource.CreateCommand("""
                SELECT DISTINCT ON (c.license_number) c.identifier, c.version, c.status, c.canonical, c.region_code, l.issued_at
                FROM licenses l JOIN license_changes c ON c.license_number = l.license_number
                WHERE l.issuer_code = $1 AND l.issued_at >= $2 AND l.issued_at < $3
                ORDER BY c.license_number, c.license_seq DESC
                """);
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = issuer });
            cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = start.ToUniversalTime() });
            cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = end.ToUniversalTime() });
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            var leaves = new List<(DigestLeaf, string)>();
            while (await reader.ReadAsync(ct))
            {
                var day = DateOnly.FromDateTime(reader.GetFieldValue<DateTimeOffset>(5).ToOffset(PlatformClock.Offset).DateTime);
                leaves.Add((new DigestLeaf(reader.GetString(0), reader.GetString(1), reader.GetString(2), MerkleTree.DocumentHash(reader.GetString(3)), day),
                    reader.GetString(4)));
            }

            return leaves;
        }
        catch (NpgsqlException e)
        {
            throw StorageFailures.Unavailable(e);
        }
    }

    /// <summary>The digest of <paramref name="leaves"/>: overall and per day.</summary>
    public static SyncDigest Digest(string issuer, DateOnly? from, DateOnly? to, IReadOnlyList<DigestLeaf> leaves, bool withLeaves) =>
        new(issuer, from, to, leaves.Count, MerkleTree.Root(leaves),
            [.. leaves.GroupBy(l => l.Day).OrderBy(g => g.Key).Select(g => new DigestDay(g.Key, g.Count(), MerkleTree.Root(g)))],
            withLeaves ? [.. leaves.OrderBy(l => l.Identifier, StringComparer.Ordinal)] : null);
}
