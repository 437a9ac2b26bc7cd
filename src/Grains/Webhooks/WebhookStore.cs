using Npgsql;
using OrleansLicenses.Hosting;

namespace OrleansLicenses.Webhooks;

/// <summary>
/// Units' webhook configuration (<c>unit_webhooks</c>) and the delivery outbox (<c>webhook_deliveries</c>).
/// Schema: <c>deploy/sql/0015_webhooks.sql</c>.
/// </summary>
public sealed class WebhookStore(NpgsqlDataSource dataSource)
{
    /// <summary>One claimed delivery: what to post where, and how many attempts this one makes.</summary>
    public sealed record Claimed(Guid Id, string UnitCode, string Body, int Attempt, string Url, byte[] Secret);

    public async Task<DateTimeOffset> UpsertAsync(string unitCode, string url, byte[] secret, DateTimeOffset now)
    {
        try
        {
            await using var cmd = dataSource.CreateCommand("""
                INSERT INTO unit_webhooks (unit_code, url, secret, updated_at) VALUES ($1, $2, $3, $4)
                ON CONFLICT (unit_code) DO UPDATE SET url = EXCLUDED.url, secret = EXCLUDED.secret, updated_at = EXCLUDED.updated_at
                """);
            cmd.Parameters.AddWithValue(unitCode);
            cmd.Parameters.AddWithValue(url);
            cmd.Parameters.AddWithValue(secret);
            cmd.Parameters.AddWithValue(now);
            await cmd.ExecuteNonQueryAsync();
            return now;
        }
        catch (NpgsqlException e)
        {
            throw StorageFailures.Unavailable(e);
        }
    }

    /// <summary>Removes the unit's webhook and cancels its pending deliveries, in one transaction.</summary>
    public async Task<bool> RemoveAsync(string unitCode, DateTimeOffset now)
    {
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync();
            await using var tx = await connection.BeginTransactionAsync();
            await using var delete = new NpgsqlCommand("DELETE FROM unit_webhooks WHERE unit_code = $1", connection, tx);
            delete.Parameters.AddWithValue(unitCode);
            var removed = await delete.ExecuteNonQueryAsync() == 1;
            await using var cancel = new NpgsqlCommand("""
                UPDATE webhook_deliveries SET status = 'cancelled', completed_at = $2, locked_until = NULL
                WHERE unit_code = $1 AND status = 'pending'
                """, connection, tx);
            cancel.Parameters.AddWithValue(unitCode);
            cancel.Parameters.AddWithValue(now);
            await cancel.ExecuteNonQueryAsync();
            await tx.CommitAsync();
            return removed;
        }
        catch (NpgsqlException e)
        {
            throw StorageFailures.Unavailable(e);
        }
    }

    /// <summary>
    /// Claims up to <paramref name="limit"/> due deliveries for <paramref name="lease"/> and counts the attempt. Rows
    /// another silo holds are skipped; pending rows of a unit whose webhook is gone are cancelled.
    /// </summary>
    public async Task<IReadOnlyList<Claimed>> ClaimAsync(DateTimeOffset now, TimeSpan lease, int limit, CancellationToken ct)
    {
        await using (var orphans = dataSource.CreateCommand("""
            UPDATE webhook_deliveries d SET status = 'cancelled', completed_at = $1
            WHERE d.status = 'pending' AND d.next_attempt_at <= $1 AND NOT EXISTS (SELECT 1 FROM unit_webhooks w WHERE w.unit_code = d.unit_code)
            """))
        {
            orphans.Parameters.AddWithValue(now);
            await orphans.ExecuteNonQueryAsync(ct);
        }

        await using var claim = dataSource.CreateCommand("""
            WITH due AS (
                SELECT id FROM webhook_deliveries
                WHERE status = 'pending' AND next_attempt_at <= $1 AND (locked_until IS NULL OR locked_until < $1)
                ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED)
            UPDATE webhook_deliveries d SET locked_until = $2, attempts = d.attempts + 1
            FROM due, unit_webhooks w
            WHERE d.id = due.id AND w.unit_code = d.unit_code
            RETURNING d.id, d.unit_code, d.body, d.attempts, w.url, w.secret
            """);
        claim.Parameters.AddWithValue(now);
        claim.Parameters.AddWithValue(now + lease);
        claim.Parameters.AddWithValue(limit);
        var claimed = new List<Claimed>();
        await using var reader = await claim.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            claimed.Add(new Claimed(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3), reader.GetString(4),
                reader.GetFieldValue<byte[]>(5)));
        }

        return claimed;
    }

    public async Task DeliveredAsync(Guid id, int status, DateTimeOffset now, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("""
            UPDATE webhook_deliveries SET status = 'delivered', last_status = $2, last_error = NULL, completed_at = $3, locked_until = NULL
            WHERE id = $1 AND status = 'pending'
            """);
        cmd.Parameters.AddWithValue(id);
        cmd.Parameters.AddWithValue(status);
        cmd.Parameters.AddWithValue(now);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Records a failed attempt: pending again at <paramref name="retryAt"/>, or failed when it was the last.</summary>
    public async Task AttemptFailedAsync(Guid id, int? status, string error, bool last, DateTimeOffset retryAt, DateTimeOffset now, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("""
            UPDATE webhook_deliveries SET
                status = CASE WHEN $4 THEN 'failed' ELSE 'pending' END,
                next_attempt_at = $5, completed_at = CASE WHEN $4 THEN $6 END,
                last_status = $2, last_error = $3, locked_until = NULL
            WHERE id = $1 AND status = 'pending'
            """);
        cmd.Parameters.AddWithValue(id);
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)status ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer });
        cmd.Parameters.AddWithValue(error);
        cmd.Parameters.AddWithValue(last);
        cmd.Parameters.AddWithValue(retryAt);
        cmd.Parameters.AddWithValue(now);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
