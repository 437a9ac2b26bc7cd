using Npgsql;
using OrleansLicenses.Hosting;

namespace OrleansLicenses.Sync;

/// <summary>A change read from the feed for pushing, with its place in the feed's commit order.</summary>
public sealed record FeedChange(PushCursor Position, string LicenseNumber, SyncRecord Record);

/// <summary>
/// Reads this library's change feed (<c>license_changes</c>) for the pushers: one partition's changes after a cursor, in
/// (committed_xid, global_seq) order and only below the oldest running transaction, so nothing that commits later
/// can land behind the cursor (deploy/sql/0030_sync.sql). Changes of one licence are in one partition and in order.
/// </summary>
public sealed class FeedReader(NpgsqlDataSource dataSource)
{
    private const string Columns = """
        c.committed_xid::text, c.global_seq, c.license_number, c.license_seq, c.operation, c.occurred_at, c.identifier, c.region_code,
        c.status, c.canonical, c.signature, c.certificate, c.snapshot::text, l.issued_at
        """;

    /// <summary>The partition of a licence number (stable across processes and versions: PostgreSQL's hashtext).</summary>
    public const string PartitionOf = "mod(hashtext(c.license_number)::bigint + 2147483648, $3)";

    public async Task<List<FeedChange>> ReadAsync(int partition, int partitions, PushCursor after, int limit, CancellationToken ct = default)
    {
        try
        {
            await using var cmd = dataSource.CreateCommand($"""
                SELECT {Columns}
                FROM license_changes c JOIN licenses l ON l.license_number = c.license_number
                WHERE (c.committed_xid, c.global_seq) > ($1::text::xid8, $2)
                  AND c.committed_xid < pg_snapshot_xmin(pg_current_snapshot())
                  AND {PartitionOf} = $4
                ORDER BY c.committed_xid, c.global_seq
                LIMIT $5
                """);
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = after.Xid });
            cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = after.Seq });
            cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = partitions });
            cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = partition });
            cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
            return await ReadAllAsync(cmd, ct);
        }
        catch (NpgsqlException e)
        {
            throw StorageFailures.Unavailable(e);
        }
    }

    /// <summary>The newest change of each of these licences (a reconciliation pushes them again).</summary>
    public async Task<List<FeedChange>> LatestAsync(IReadOnlyCollection<string> licenseNumbers, CancellationToken ct = default)
    {
        try
        {
            await using var cmd = dataSource.CreateCommand($"""
                SELECT DISTINCT ON (c.license_number) {Columns}
                FROM license_changes c JOIN licenses l ON l.license_number = c.license_number
                WHERE c.license_number = ANY ($1)
                ORDER BY c.license_number, c.license_seq DESC
                """);
            cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. licenseNumbers] });
            return await ReadAllAsync(cmd, ct);
        }
        catch (NpgsqlException e)
        {
            throw StorageFailures.Unavailable(e);
        }
    }

    private static async Task<List<FeedChange>> ReadAllAsync(NpgsqlCommand cmd, CancellationToken ct)
    {
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var changes = new List<FeedChange>();
        while (await reader.ReadAsync(ct))
        {
            var canonical = reader.GetString(9);
            var record = new SyncRecord(
                reader.GetString(6), reader.GetInt32(3), reader.GetInt64(1), reader.GetString(4), reader.GetFieldValue<DateTimeOffset>(5),
                reader.GetString(7), reader.GetString(8), FeedSnapshot.Read(reader.IsDBNull(12) ? null : reader.GetString(12), canonical),
                reader.GetFieldValue<DateTimeOffset>(13), canonical,
                Convert.ToBase64String(reader.GetFieldValue<byte[]>(10)), Convert.ToBase64String(reader.GetFieldValue<byte[]>(11)));
            changes.Add(new FeedChange(new PushCursor(reader.GetString(0), reader.GetInt64(1)), reader.GetString(2), record));
        }

        return changes;
    }
}
