using Npgsql;
using OrleansLicenses.Hosting;

namespace OrleansLicenses.Sync;

/// <summary>Where a feed partition's pusher stands: the last change the upper library acknowledged, by (transaction id, global_seq).</summary>
[GenerateSerializer, Immutable, Alias("ol.PushCursor")]
public sealed record PushCursor([property: Id(0)] string Xid, [property: Id(1)] long Seq);

/// <summary>The persisted cursors (<c>sync_push_cursors</c>), moved by compare-and-set only.</summary>
public sealed class PushCursorStore(NpgsqlDataSource dataSource)
{
    public static readonly PushCursor Start = new("0", 0);

    public async Task<PushCursor> LoadAsync(int partition)
    {
        try
        {
            await using var cmd = dataSource.CreateCommand("SELECT last_xid::text, last_seq FROM sync_push_cursors WHERE partition = $1");
            cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = partition });
            await using var reader = await cmd.ExecuteReaderAsync();
            return await reader.ReadAsync() ? new PushCursor(reader.GetString(0), reader.GetInt64(1)) : Start;
        }
        catch (NpgsqlException e)
        {
            throw StorageFailures.Unavailable(e);
        }
    }

    /// <summary>Moves the cursor from <paramref name="from"/> to <paramref name="to"/>; false when another activation moved it first.</summary>
    public async Task<bool> AdvanceAsync(int partition, PushCursor from, PushCursor to, int pushed)
    {
        try
        {
            await using var cmd = dataSource.CreateCommand("""
                INSERT INTO sync_push_cursors AS c (partition, last_xid, last_seq, pushed, updated_at) VALUES ($1, $4::text::xid8, $5, $6, now())
                ON CONFLICT (partition) DO UPDATE SET last_xid = EXCLUDED.last_xid, last_seq = EXCLUDED.last_seq,
                    pushed = c.pushed + EXCLUDED.pushed, updated_at = now()
                WHERE c.last_xid = $2::text::xid8 AND c.last_seq = $3
                """);
            cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = partition });
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = from.Xid });
            cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = from.Seq });
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = to.Xid });
            cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = to.Seq });
            cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = pushed });
            return await cmd.ExecuteNonQueryAsync() == 1;
        }
        catch (NpgsqlException e)
        {
            throw StorageFailures.Unavailable(e);
        }
    }
}
