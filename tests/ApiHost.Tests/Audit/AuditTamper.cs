using OrleansLicenses.Audit;
using Npgsql;
using OrleansLicenses.ApiHost.Audit;

namespace OrleansLicenses.Tests.Audit;

/// <summary>What an attacker with the database superuser can do: switch the audit triggers off, change rows, switch them on.</summary>
public static class AuditTamper
{
    private static readonly string[] Tables = ["audit_records", "audit_chain_head", "audit_checkpoints", "audit_chains"];

    public static Task RunAsync(string connectionString, string sql, params object[] parameters) =>
        RunAsync(connectionString, [(sql, parameters)]);

    /// <summary>Several statements in one transaction (positional parameters allow one statement per command).</summary>
    public static async Task RunAsync(string connectionString, IReadOnlyList<(string Sql, object[] Parameters)> statements)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var tx = await connection.BeginTransactionAsync();
        foreach (var table in Tables)
        {
            await Execute(connection, tx, $"ALTER TABLE {table} DISABLE TRIGGER USER");
        }

        foreach (var (sql, parameters) in statements)
        {
            await Execute(connection, tx, sql, parameters);
        }

        foreach (var table in Tables)
        {
            await Execute(connection, tx, $"ALTER TABLE {table} ENABLE TRIGGER USER");
        }

        await tx.CommitAsync();
    }

    /// <summary>Points the head at record <paramref name="seq"/> (0: empty chain), as a careful attacker would after cutting the tail.</summary>
    public static Task ResetHeadAsync(string connectionString, long seq) => RunAsync(connectionString, """
        UPDATE audit_chain_head SET seq = $1,
            hash = COALESCE((SELECT hash FROM audit_records WHERE seq = $1), decode(repeat('00', 32), 'hex'))
        """, seq);

    public static async Task<List<AuditRecord>> ReadAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("""
            SELECT seq, recorded_at, request_id, actor, actor_ref, role, unit_code, client_address, kind, action, resource, outcome, status,
                   purpose, attempt_seq, prev_hash, hash
            FROM audit_records ORDER BY seq
            """, connection);
        await using var reader = await cmd.ExecuteReaderAsync();
        var records = new List<AuditRecord>();
        while (await reader.ReadAsync())
        {
            records.Add(new AuditRecord(reader.GetInt64(0), new AuditEntry(reader.GetFieldValue<DateTimeOffset>(1), reader.GetString(2),
                reader.GetString(3), Text(reader, 4), Text(reader, 5), Text(reader, 6), Text(reader, 7), reader.GetString(8), reader.GetString(9),
                reader.GetString(10), reader.GetString(11), reader.IsDBNull(12) ? null : reader.GetInt32(12), Text(reader, 13),
                reader.IsDBNull(14) ? null : reader.GetInt64(14)), reader.GetFieldValue<byte[]>(15), reader.GetFieldValue<byte[]>(16)));
        }

        return records;
    }

    private static string? Text(NpgsqlDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetString(i);

    private static async Task Execute(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, params object[] parameters)
    {
        await using var cmd = new NpgsqlCommand(sql, connection, tx);
        foreach (var p in parameters)
        {
            cmd.Parameters.AddWithValue(p);
        }

        await cmd.ExecuteNonQueryAsync();
    }
}
