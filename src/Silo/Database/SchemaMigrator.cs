using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace OrleansLicenses.Silo.Database;

/// <summary>
/// Applies the versioned SQL files of <c>deploy/sql</c> (embedded in this assembly) in file-name order.
/// Each file runs once, in its own transaction, and is recorded with its SHA-256 in <c>schema_migrations</c>;
/// a recorded file whose text changed later is refused, because a migration that already ran must never be
/// edited. A session advisory lock serialises silos that start at the same moment.
/// </summary>
public static partial class SchemaMigrator
{
    private const long AdvisoryLockKey = 0x4f4c_4d49_4752; // "OLMIGR"

    public static IReadOnlyList<(string Name, string Sql)> Scripts { get; } = LoadScripts();

    /// <remarks>
    /// The advisory lock serialises migrations of one database only; roles and role memberships are cluster-wide, so
    /// two databases on one server migrating at the same moment (parallel tests, a second library on the same server)
    /// can collide in <c>pg_auth_members</c> ("tuple concurrently deleted", which also ends the session). The colliding
    /// migration rolled back as a whole, so the run starts again on a new connection after a short, jittered pause;
    /// the migrations that did commit are skipped by their record.
    /// </remarks>
    public static async Task ApplyAsync(string connectionString, ILogger? logger = null, CancellationToken ct = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ApplyOnceAsync(connectionString, logger, ct);
                return;
            }
            catch (PostgresException e) when (attempt < MaxCatalogRetries && IsConcurrentCatalogChange(e))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(20, 200) * attempt), ct);
            }
        }
    }

    private static async Task ApplyOnceAsync(string connectionString, ILogger? logger, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await Execute(connection, null, $"SELECT pg_advisory_lock({AdvisoryLockKey})", ct);
        try
        {
            await Execute(connection, null, """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version     text PRIMARY KEY,
                    sha256      text NOT NULL,
                    applied_at  timestamptz NOT NULL DEFAULT now()
                )
                """, ct);

            var applied = await AppliedAsync(connection, ct);
            foreach (var (name, sql) in Scripts)
            {
                var hash = HashOf(sql);
                if (applied.TryGetValue(name, out var recorded))
                {
                    if (recorded != hash)
                    {
                        throw Changed(name, recorded, hash);
                    }

                    continue;
                }

                await ApplyOneAsync(connection, name, sql, hash, ct);
                if (logger is not null)
                {
                    LogApplied(logger, name);
                }
            }
        }
        finally
        {
            // A broken connection already released the lock with its session; unlocking on it would only hide the
            // migration's own error behind "Connection is not open".
            if (connection.FullState == System.Data.ConnectionState.Open)
            {
                await Execute(connection, null, $"SELECT pg_advisory_unlock({AdvisoryLockKey})", CancellationToken.None);
            }
        }
    }

    private static async Task ApplyOneAsync(NpgsqlConnection connection, string name, string sql, string hash, CancellationToken ct)
    {
        await using var tx = await connection.BeginTransactionAsync(ct);
        await Execute(connection, tx, sql, ct);
        await using (var record = new NpgsqlCommand("INSERT INTO schema_migrations (version, sha256) VALUES ($1, $2)", connection, tx))
        {
            record.Parameters.AddWithValue(name);
            record.Parameters.AddWithValue(hash);
            await record.ExecuteNonQueryAsync(ct);
        }

        await tx.CommitAsync(ct);
    }

    private const int MaxCatalogRetries = 8;

    /// <summary>A concurrent change to a shared system catalogue (PostgreSQL reports the row race as an internal error).</summary>
    internal static bool IsConcurrentCatalogChange(PostgresException e) =>
        e.SqlState is PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected
        || (e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName?.StartsWith("pg_", StringComparison.Ordinal) == true)
        || (e.SqlState == PostgresErrorCodes.InternalError && e.MessageText.Contains("concurrently", StringComparison.Ordinal));

    /// <summary>
    /// The embedded migrations not yet recorded in <c>schema_migrations</c>, read with any login that may select from it
    /// (the silos' <c>ol_silo</c> may): a silo that does not migrate checks with it that the schema is current.
    /// </summary>
    /// <exception cref="InvalidOperationException">A recorded migration's text changed after it was applied.</exception>
    public static async Task<IReadOnlyList<string>> PendingAsync(string connectionString, CancellationToken ct = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var exists = new NpgsqlCommand("SELECT to_regclass('schema_migrations') IS NOT NULL", connection);
        var applied = (bool)(await exists.ExecuteScalarAsync(ct))! ? await AppliedAsync(connection, ct) : new Dictionary<string, string>(StringComparer.Ordinal);
        var pending = new List<string>();
        foreach (var (name, sql) in Scripts)
        {
            if (!applied.TryGetValue(name, out var recorded))
            {
                pending.Add(name);
            }
            else if (recorded != HashOf(sql))
            {
                throw Changed(name, recorded, HashOf(sql));
            }
        }

        return pending;
    }

    private static async Task<Dictionary<string, string>> AppliedAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var applied = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var cmd = new NpgsqlCommand("SELECT version, sha256 FROM schema_migrations", connection);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            applied[reader.GetString(0)] = reader.GetString(1);
        }

        return applied;
    }

    private static string HashOf(string sql) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql)));

    private static InvalidOperationException Changed(string name, string recorded, string now) =>
        new($"Migration {name} was changed after it was applied (recorded {recorded}, now {now}). Add a new migration instead.");

    private static async Task Execute(NpgsqlConnection connection, NpgsqlTransaction? tx, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, connection, tx);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static List<(string Name, string Sql)> LoadScripts()
    {
        var assembly = typeof(SchemaMigrator).Assembly;
        var scripts = new List<(string, string)>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith("sql/", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream, Encoding.UTF8);
            scripts.Add((Path.GetFileNameWithoutExtension(resource["sql/".Length..]), reader.ReadToEnd()));
        }

        return scripts;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied database migration {Migration}")]
    private static partial void LogApplied(ILogger logger, string migration);
}
