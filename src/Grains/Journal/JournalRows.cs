using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using OrleansLicenses.Audit;

namespace OrleansLicenses.Journal;

/// <summary>The SQL of one journal batch: the use records, the audit records and the chain head, all in one round trip.</summary>
internal static class JournalRows
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// The batch's use records as ONE statement over column arrays (<c>unnest</c>): it goes in the same round trip as
    /// the audit records, where a COPY would need round trips of its own. The text never changes, so it is prepared.
    /// A record's reasons travel as one string joined by U+001F (they are machine codes).
    /// </summary>
    public static NpgsqlBatchCommand Uses(IReadOnlyList<UseRecord> uses)
    {
        var command = new NpgsqlBatchCommand("""
            INSERT INTO license_uses (id, used_at, unit_code, client_id, matter_code, purpose, basis, authorization_id, license_identifier,
                                      license_version, document_hash, holder_key, valid, status, reasons, disclosed, comparison,
                                      case_number, operator_name, use_kind, presentation_id)
            SELECT u.id, u.used_at, u.unit_code, u.client_id, u.matter_code, u.purpose, u.basis, u.authorization_id, u.license_identifier,
                   u.license_version, u.document_hash, u.holder_key, u.valid, u.status, string_to_array(u.reasons, E'\x1F'), u.disclosed, u.comparison,
                   u.case_number, u.operator_name, u.use_kind, u.presentation_id
            FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                        $10::text[], $11::text[], $12::text[], $13::boolean[], $14::text[], $15::text[], $16::jsonb[], $17::jsonb[], $18::text[], $19::text[], $20::text[], $21::text[])
                 AS u(id, used_at, unit_code, client_id, matter_code, purpose, basis, authorization_id, license_identifier,
                      license_version, document_hash, holder_key, valid, status, reasons, disclosed, comparison, case_number, operator_name, use_kind, presentation_id)
            """);
        var p = command.Parameters;
        p.Add(Column(uses, u => u.Id));
        p.Add(Column(uses, u => u.UsedAt));
        p.Add(Column(uses, u => u.UnitCode));
        p.Add(Column(uses, u => u.ClientId));
        p.Add(Column(uses, u => u.MatterCode));
        p.Add(Column(uses, u => u.Purpose));
        p.Add(Column(uses, u => u.Basis));
        p.Add(Column(uses, u => u.AuthorizationId));
        p.Add(Column(uses, u => u.LicenseIdentifier));
        p.Add(Column(uses, u => u.LicenseVersion));
        p.Add(Column(uses, u => u.DocumentHash));
        p.Add(Column(uses, u => u.HolderKey));
        p.Add(Column(uses, u => u.Valid));
        p.Add(Column(uses, u => u.Status));
        p.Add(Column(uses, u => string.Join('\u001f', u.Reasons)));
        p.Add(new NpgsqlParameter<string[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb, TypedValue = [.. uses.Select(u => JsonSerializer.Serialize(u.Disclosed, Json))] });
        p.Add(new NpgsqlParameter<string?[]>
        {
            NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb,
            TypedValue = [.. uses.Select(u => u.Comparison is null ? null : JsonSerializer.Serialize(u.Comparison, Json))],
        });
        p.Add(Column(uses, u => u.CaseNumber));
        p.Add(Column(uses, u => u.OperatorName));
        p.Add(Column(uses, u => u.Kind));
        p.Add(Column(uses, u => u.PresentationId));
        return command;
    }

    /// <summary>
    /// The batch's audit records, chained (each <c>prev_hash</c> is the hash before it), as ONE statement over column
    /// arrays. The rows are inserted in <c>seq</c> order: the link trigger of each row reads the row before it, which
    /// a BEFORE trigger sees when the same statement inserted it earlier.
    /// </summary>
    public static NpgsqlBatchCommand Audits(string chainId, IReadOnlyList<ChainedAudit> rows)
    {
        var command = new NpgsqlBatchCommand("""
            INSERT INTO audit_records (chain_id, seq, recorded_at, request_id, actor, actor_ref, role, unit_code, client_address, kind,
                                       action, resource, outcome, status, purpose, attempt_seq, prev_hash, hash)
            SELECT $1, a.* FROM unnest($2::bigint[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                                       $10::text[], $11::text[], $12::text[], $13::text[], $14::integer[], $15::text[], $16::bigint[],
                                       $17::bytea[], $18::bytea[])
                 AS a(seq, recorded_at, request_id, actor, actor_ref, role, unit_code, client_address, kind,
                      action, resource, outcome, status, purpose, attempt_seq, prev_hash, hash)
            ORDER BY a.seq
            """);
        var p = command.Parameters;
        p.Add(new NpgsqlParameter<string> { TypedValue = chainId });
        p.Add(Column(rows, r => r.Seq));
        p.Add(Column(rows, r => r.Entry.Time));
        p.Add(Column(rows, r => r.Entry.RequestId));
        p.Add(Column(rows, r => r.Entry.Actor));
        p.Add(Column(rows, r => r.Entry.ActorRef));
        p.Add(Column(rows, r => r.Entry.Role));
        p.Add(Column(rows, r => r.Entry.UnitCode));
        p.Add(Column(rows, r => r.Entry.ClientAddress));
        p.Add(Column(rows, r => r.Entry.Kind));
        p.Add(Column(rows, r => r.Entry.Action));
        p.Add(Column(rows, r => r.Entry.Resource));
        p.Add(Column(rows, r => r.Entry.Outcome));
        p.Add(Column(rows, r => r.Entry.Status));
        p.Add(Column(rows, r => r.Entry.Purpose));
        p.Add(Column(rows, r => r.Entry.AttemptSeq));
        p.Add(Column(rows, r => r.Previous));
        p.Add(Column(rows, r => r.Hash));
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

    public static NpgsqlBatchCommand RegisterChain(string chainId, string writer, byte[] genesis)
    {
        var command = new NpgsqlBatchCommand("INSERT INTO audit_chains (chain_id, writer, genesis, seq, hash) VALUES ($1, $2, $3, 0, $3) ON CONFLICT DO NOTHING");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = chainId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = writer });
        command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = genesis });
        return command;
    }

    private static NpgsqlParameter<T[]> Column<TRow, T>(IReadOnlyList<TRow> rows, Func<TRow, T> value) => new() { TypedValue = [.. rows.Select(value)] };
}

/// <summary>An audit record with its place in a chain: its seq, the hash before it and its own hash.</summary>
internal sealed record ChainedAudit(long Seq, AuditEntry Entry, byte[] Previous, byte[] Hash);
