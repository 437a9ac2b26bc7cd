using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using OrleansLicenses.Hosting;

namespace OrleansLicenses.Corrections;

/// <summary>
/// Durable correction state. One transaction per step: the request's new state (<c>correction_state</c>, optimistic on
/// the revision it read), its read-model row (<c>corrections</c>) and the step's notifications commit together or not
/// at all, so a step is never acknowledged without its notifications and an escalation is never recorded twice.
/// The same transaction queues each notification of a unit that has a webhook for delivery (the outbox that
/// <see cref="Webhooks.WebhookDispatcher"/> drains) and stores the evidence file of a filing.
/// Schema: <c>deploy/sql/0013_corrections.sql</c>, <c>deploy/sql/0015_webhooks.sql</c>.
/// </summary>
public sealed class CorrectionStore(NpgsqlDataSource dataSource)
{
    private static readonly JsonSerializerOptions Json = new();

    public async Task<CorrectionState?> LoadAsync(string id, CancellationToken ct = default)
    {
        try
        {
            await using var cmd = dataSource.CreateCommand("SELECT state::text, revision FROM correction_state WHERE correction_id = $1");
            cmd.Parameters.AddWithValue(id);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct))
            {
                return null;
            }

            var state = JsonSerializer.Deserialize<CorrectionState>(reader.GetString(0), Json)
                ?? throw new InvalidOperationException($"Stored state of correction {id} is empty.");
            state.Revision = reader.GetInt32(1);
            return state;
        }
        catch (NpgsqlException e)
        {
            throw StorageFailures.Unavailable(e);
        }
    }

    /// <summary>
    /// Commits <paramref name="state"/> (revision already increased by one) with its read-model row, notifications,
    /// their webhook deliveries and (when filing) the evidence file.
    /// </summary>
    /// <exception cref="CorrectionWriteConflictException">Another activation wrote this request first.</exception>
    public async Task CommitAsync(string id, CorrectionState state, IReadOnlyList<NotificationRow> notifications, CorrectionEvidence? evidence = null,
        CancellationToken ct = default)
    {
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            await using var tx = await connection.BeginTransactionAsync(ct);
            await using (var stateRow = StateRow(id, state, connection, tx))
            {
                if (await stateRow.ExecuteScalarAsync(ct) is null)
                {
                    throw new CorrectionWriteConflictException(id);
                }
            }

            await using (var batch = new NpgsqlBatch(connection, tx))
            {
                batch.BatchCommands.Add(new NpgsqlBatchCommand("SET LOCAL synchronous_commit TO on"));
                batch.BatchCommands.Add(ReadModelRow(id, state));
                foreach (var n in notifications)
                {
                    batch.BatchCommands.Add(NotificationInsert(id, n));
                    if (Webhooks.WebhookOutbox.Enqueue(id, n) is { } delivery)
                    {
                        batch.BatchCommands.Add(delivery);
                    }
                }

                if (evidence is not null)
                {
                    batch.BatchCommands.Add(EvidenceInsert(id, evidence, state.CreatedAt));
                }

                await batch.ExecuteNonQueryAsync(ct);
            }

            await tx.CommitAsync(ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new CorrectionWriteConflictException(id);
        }
        catch (NpgsqlException e)
        {
            throw StorageFailures.Unavailable(e);
        }
    }

    /// <summary>Whether the unit has a use record (用证存档) of any version of the licence.</summary>
    public async Task<bool> HasUseRecordAsync(string unitCode, string licenseNumber)
    {
        try
        {
            await using var cmd = dataSource.CreateCommand(
                "SELECT EXISTS (SELECT 1 FROM license_uses WHERE unit_code = $1 AND starts_with(license_identifier, $2))");
            cmd.Parameters.AddWithValue(unitCode);
            cmd.Parameters.AddWithValue($"{Identifiers.LicenseIdentifier.Root}.{licenseNumber}.");
            return await cmd.ExecuteScalarAsync() is true;
        }
        catch (NpgsqlException e)
        {
            throw StorageFailures.Unavailable(e);
        }
    }

    /// <summary>Open requests whose current stage is past its deadline and not escalated yet (for the start-up sweep).</summary>
    public async Task<IReadOnlyList<string>> OverdueUnescalatedAsync(DateTimeOffset now, int limit, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("""
            SELECT correction_id FROM corrections
            WHERE status = 'open' AND due_at < $1 AND NOT stage_escalated ORDER BY due_at LIMIT $2
            """);
        cmd.Parameters.AddWithValue(now);
        cmd.Parameters.AddWithValue(limit);
        var ids = new List<string>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    /// <summary>Marks a notification read if it belongs to the recipient; false when it does not exist for them.</summary>
    public async Task<bool> MarkReadAsync(string recipient, Guid id, DateTimeOffset now)
    {
        try
        {
            await using var cmd = dataSource.CreateCommand("""
                UPDATE notifications SET read_at = coalesce(read_at, $3) WHERE id = $1 AND recipient = $2
                """);
            cmd.Parameters.AddWithValue(id);
            cmd.Parameters.AddWithValue(recipient);
            cmd.Parameters.AddWithValue(now);
            return await cmd.ExecuteNonQueryAsync() == 1;
        }
        catch (NpgsqlException e)
        {
            throw StorageFailures.Unavailable(e);
        }
    }

    private static NpgsqlCommand StateRow(string id, CorrectionState state, NpgsqlConnection connection, NpgsqlTransaction tx)
    {
        var command = state.Revision == 1
            ? new NpgsqlCommand("""
                INSERT INTO correction_state (correction_id, revision, state, updated_at) VALUES ($1, $2, $3, now())
                ON CONFLICT (correction_id) DO NOTHING RETURNING revision
                """, connection, tx)
            : new NpgsqlCommand("""
                UPDATE correction_state SET revision = $2, state = $3, updated_at = now()
                WHERE correction_id = $1 AND revision = $2 - 1 RETURNING revision
                """, connection, tx);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = id });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = state.Revision });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = JsonSerializer.Serialize(state, Json), NpgsqlDbType = NpgsqlDbType.Json });
        return command;
    }

    private static NpgsqlBatchCommand ReadModelRow(string id, CorrectionState s)
    {
        var command = new NpgsqlBatchCommand("""
            INSERT INTO corrections (correction_id, license_number, license_id, issuer_code, requester, requester_role, cause, status, stage,
                                     forwarded, outcome, due_at, escalations, stage_escalated, created_at, resolved_at, revision)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
            ON CONFLICT (correction_id) DO UPDATE SET
                status = EXCLUDED.status, stage = EXCLUDED.stage, forwarded = EXCLUDED.forwarded, outcome = EXCLUDED.outcome,
                due_at = EXCLUDED.due_at, escalations = EXCLUDED.escalations, stage_escalated = EXCLUDED.stage_escalated,
                resolved_at = EXCLUDED.resolved_at, revision = EXCLUDED.revision
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = id });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = s.LicenseNumber });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = s.LicenseId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = s.IssuerCode });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = s.Requester });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = s.RequesterRole });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = s.Cause });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = CorrectionNames.StatusOf(s.Stage) });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = s.Stage });
        command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = s.Forwarded });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)s.Outcome ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = s.DueAt is { } due ? due : DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = s.EscalatedStages.Count });
        command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = s.EscalatedStages.Contains(s.Stage) });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = s.CreatedAt });
        command.Parameters.Add(new NpgsqlParameter { Value = s.ResolvedAt is { } at ? at : DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = s.Revision });
        return command;
    }

    private static NpgsqlBatchCommand EvidenceInsert(string id, CorrectionEvidence evidence, DateTimeOffset at)
    {
        var command = new NpgsqlBatchCommand("""
            INSERT INTO correction_evidence (correction_id, file_name, content_type, content, sha256, created_at) VALUES ($1, $2, $3, $4, $5, $6)
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = id });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = evidence.FileName });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = evidence.ContentType });
        command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = evidence.Content });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = CorrectionEvidenceState.Sha256Of(evidence.Content) });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = at });
        return command;
    }

    private static NpgsqlBatchCommand NotificationInsert(string id, NotificationRow n)
    {
        var command = new NpgsqlBatchCommand("""
            INSERT INTO notifications (id, recipient, correction_id, kind, stage, message, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
            """);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = n.Id });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = n.Recipient });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = id });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = n.Kind });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = n.Stage });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = n.Message });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = n.At });
        return command;
    }
}

/// <summary>Another activation of the request committed first; this activation's state is stale.</summary>
public sealed class CorrectionWriteConflictException(string id) : Exception($"Correction {id} was written by another activation.");
