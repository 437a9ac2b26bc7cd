using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using OrleansLicenses.Audit;

namespace OrleansLicenses.Journal;

/// <summary>The SQL of one journal batch: use records by binary COPY, audit records and the chain head by a batch.</summary>
internal static class JournalRows
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task CopyUsesAsync(NpgsqlConnection connection, IEnumerable<UseRecord> uses, CancellationToken ct)
    {
        await using var writer = await connection.BeginBinaryImportAsync("""
            COPY license_uses (id, used_at, unit_code, client_id, matter_code, purpose, basis, authorization_id, license_identifier,
                               license_version, document_hash, holder_key, valid, status, reasons, disclosed, comparison)
            FROM STDIN (FORMAT BINARY)
            """, ct);
        foreach (var r in uses)
        {
            await writer.StartRowAsync(ct);
            await writer.WriteAsync(r.Id, NpgsqlDbType.Uuid, ct);
            await writer.WriteAsync(r.UsedAt, NpgsqlDbType.TimestampTz, ct);
            await writer.WriteAsync(r.UnitCode, NpgsqlDbType.Varchar, ct);
            await writer.WriteAsync(r.ClientId, NpgsqlDbType.Text, ct);
            await writer.WriteAsync(r.MatterCode, NpgsqlDbType.Text, ct);
            await writer.WriteAsync(r.Purpose, NpgsqlDbType.Text, ct);
            await writer.WriteAsync(r.Basis, NpgsqlDbType.Text, ct);
            await WriteNullable(writer, r.AuthorizationId, NpgsqlDbType.Text, ct);
            await writer.WriteAsync(r.LicenseIdentifier, NpgsqlDbType.Text, ct);
            await writer.WriteAsync(r.LicenseVersion, NpgsqlDbType.Char, ct);
            await writer.WriteAsync(r.DocumentHash, NpgsqlDbType.Text, ct);
            await writer.WriteAsync(r.HolderKey, NpgsqlDbType.Text, ct);
            await writer.WriteAsync(r.Valid, NpgsqlDbType.Boolean, ct);
            await writer.WriteAsync(r.Status, NpgsqlDbType.Text, ct);
            await writer.WriteAsync(r.Reasons.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text, ct);
            await writer.WriteAsync(JsonSerializer.Serialize(r.Disclosed, Json), NpgsqlDbType.Jsonb, ct);
            await WriteNullable(writer, r.Comparison is null ? null : JsonSerializer.Serialize(r.Comparison, Json), NpgsqlDbType.Jsonb, ct);
        }

        await writer.CompleteAsync(ct);
    }

    public static NpgsqlBatchCommand Audit(string chainId, long seq, AuditEntry e, byte[] previous, byte[] hash)
    {
        var command = new NpgsqlBatchCommand("""
            INSERT INTO audit_records (chain_id, seq, recorded_at, request_id, actor, actor_ref, role, unit_code, client_address, kind,
                                       action, resource, outcome, status, purpose, attempt_seq, prev_hash, hash)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = chainId });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = seq });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = e.Time });
        foreach (var text in (ReadOnlySpan<string?>)[e.RequestId, e.Actor, e.ActorRef, e.Role, e.UnitCode, e.ClientAddress, e.Kind, e.Action, e.Resource, e.Outcome])
        {
            command.Parameters.Add(Text(text));
        }

        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Integer, Value = (object?)e.Status ?? DBNull.Value });
        command.Parameters.Add(Text(e.Purpose));
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = (object?)e.AttemptSeq ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = previous });
        command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = hash });
        return command;
    }

    public static NpgsqlBatchCommand MoveHead(string chainId, long seq, byte[] hash)
    {
        var command = new NpgsqlBatchCommand("UPDATE audit_chains SET seq = $2, hash = $3, updated_at = now() WHERE chain_id = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = chainId });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = seq });
        command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = hash });
        return command;
    }

    public static NpgsqlCommand RegisterChain(NpgsqlConnection connection, string chainId, string writer, byte[] genesis)
    {
        var command = new NpgsqlCommand("INSERT INTO audit_chains (chain_id, writer, genesis, seq, hash) VALUES ($1, $2, $3, 0, $3) ON CONFLICT DO NOTHING", connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = chainId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = writer });
        command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = genesis });
        return command;
    }

    private static NpgsqlParameter Text(string? value) => new() { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)value ?? DBNull.Value };

    private static async Task WriteNullable(NpgsqlBinaryImporter writer, string? value, NpgsqlDbType type, CancellationToken ct)
    {
        if (value is null)
        {
            await writer.WriteNullAsync(ct);
        }
        else
        {
            await writer.WriteAsync(value, type, ct);
        }
    }
}
