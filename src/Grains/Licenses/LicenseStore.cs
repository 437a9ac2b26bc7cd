using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using OrleansLicenses.Errors;
using OrleansLicenses.Hosting;
using OrleansLicenses.ReadModel;

namespace OrleansLicenses.Licenses;

/// <summary>What one licence change puts on the change feed besides the new state.</summary>
/// <param name="Operation"><c>issue</c>, <c>change</c> or the status event's type.</param>
/// <param name="Actor">The caller's subject.</param>
/// <param name="OccurredAt">When the change was made (the injected clock).</param>
public sealed record LicenseChangeEntry(string Operation, string Actor, DateTimeOffset OccurredAt);

/// <summary>
/// Durable licence state. One transaction per change: the grain's new state (<c>license_state</c>, optimistic on the
/// revision it read), its read-model row (<c>licenses</c>) and its change-feed entry (<c>license_changes</c>) commit
/// together or not at all, so the read model and the feed never run ahead of or behind the licence, and no timer
/// is needed to repair them. Schema: <c>deploy/sql/0012_license_store.sql</c>.
/// </summary>
public sealed class LicenseStore(NpgsqlDataSource dataSource, LicenseGroupCommit groupCommit)
{
    // PascalCase, as Orleans' System.Text.Json storage serializer wrote licences before this store existed
    // (the migration copies those rows verbatim).
    private static readonly JsonSerializerOptions Json = new();

    /// <summary>The committed state of a licence, or null if it was never issued.</summary>
    public async Task<LicenseState?> LoadAsync(string licenseNumber, CancellationToken ct = default)
    {
        try
        {
            await using var cmd = dataSource.CreateCommand("SELECT state::text, revision FROM license_state WHERE license_number = $1");
            cmd.Parameters.AddWithValue(licenseNumber);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct))
            {
                return null;
            }

            return Parse(licenseNumber, reader.GetString(0), reader.GetInt32(1));
        }
        catch (NpgsqlException e)
        {
            throw StorageFailures.Unavailable(e);
        }
    }

    /// <summary>Reads a <c>license_state</c> row's JSON as it is stored (also used by the offline signature check).</summary>
    public static LicenseState Parse(string licenseNumber, string json, int revision)
    {
        var state = JsonSerializer.Deserialize<LicenseState>(json, Json)
            ?? throw new InvalidOperationException($"Stored state of licence {licenseNumber} is empty.");
        state.Revision = revision;
        return state;
    }

    /// <summary>
    /// Commits <paramref name="state"/> (whose <see cref="LicenseState.Revision"/> has already been increased by one)
    /// with its read-model row and change-feed entry in one transaction (group-committed with other licences' changes
    /// of this silo by <see cref="LicenseGroupCommit"/>; acknowledged after that transaction committed).
    /// </summary>
    /// <exception cref="LicenseWriteConflictException">Another activation wrote this licence first.</exception>
    /// <exception cref="ServiceUnavailableException">PostgreSQL failed; nothing was committed, or the outcome is unknown.</exception>
    public async Task CommitAsync(LicenseState state, LicenseView current, LicenseChangeEntry change, CancellationToken ct = default)
    {
        try
        {
            // Serialized once; the statements are made afresh for each attempt (alone again if its group failed).
            var json = JsonSerializer.Serialize(state, Json);
            await groupCommit.CommitAsync(() => [StateRow(state, current, json), LicenseReadModel.Upsert(state, current), FeedRow(state, current, change)]);
        }
        catch (PostgresException e) when (e.SqlState == ConflictState)
        {
            throw new LicenseWriteConflictException(current.LicenseNumber);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            // Two first writes of one licence, or a change-feed sequence written twice: the other activation won.
            throw new LicenseWriteConflictException(current.LicenseNumber);
        }
        catch (NpgsqlException e)
        {
            throw StorageFailures.Unavailable(e);
        }
    }

    /// <summary>SQLSTATE raised by <c>license_state_written</c> when the revision check failed.</summary>
    private const string ConflictState = "OL409";

    private static NpgsqlBatchCommand StateRow(LicenseState state, LicenseView current, string json)
    {
        var command = new NpgsqlBatchCommand(state.Revision == 1
            ? """
                WITH w AS (INSERT INTO license_state (license_number, revision, state, updated_at) VALUES ($1, $2, $3, now())
                           ON CONFLICT (license_number) DO NOTHING RETURNING 1)
                SELECT license_state_written(EXISTS (SELECT 1 FROM w), $1)
                """
            : """
                WITH w AS (UPDATE license_state SET revision = $2, state = $3, updated_at = now()
                           WHERE license_number = $1 AND revision = $2 - 1 RETURNING 1)
                SELECT license_state_written(EXISTS (SELECT 1 FROM w), $1)
                """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = current.LicenseNumber });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = state.Revision });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = json, NpgsqlDbType = NpgsqlDbType.Json });
        return command;
    }

    private static NpgsqlBatchCommand FeedRow(LicenseState state, LicenseView current, LicenseChangeEntry change)
    {
        var version = state.Versions[^1];
        var command = new NpgsqlBatchCommand("""
            INSERT INTO license_changes (license_number, license_seq, operation, occurred_at, actor, identifier, version, type_code,
                                         issuer_code, region_code, status, canonical, signature, certificate, snapshot)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = current.LicenseNumber });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = state.Revision });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = change.Operation });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = change.OccurredAt });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = change.Actor });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = version.Identifier });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = version.Version });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = state.TypeCode });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = state.IssuerCode });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = state.IssuerRegion });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = state.Lifecycle!.Status.ToWireName() });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = version.Canonical });
        command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = version.Signature });
        command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = version.Certificate });
        // What an upper library needs besides the document (deploy/sql/0030_sync.sql).
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Sync.FeedSnapshot.ToJson(state.Lifecycle), NpgsqlDbType = NpgsqlDbType.Json });
        return command;
    }
}

/// <summary>Another activation of the licence committed first; this activation's state is stale.</summary>
public sealed class LicenseWriteConflictException(string licenseNumber)
    : Exception($"Licence {licenseNumber} was written by another activation.");
