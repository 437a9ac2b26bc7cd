using Microsoft.Extensions.Logging;
using Npgsql;

namespace OrleansLicenses.Silo.Database;

/// <summary>
/// A silo acknowledges a licence only after PostgreSQL committed it, which means something only if the server keeps
/// commits: <c>fsync</c>, <c>synchronous_commit</c> and <c>full_page_writes</c> on. Against a server with any of them
/// off the silo refuses to start, unless <see cref="AllowSetting"/> says this is a development database.
/// </summary>
public static partial class DurabilityGuard
{
    public const string AllowSetting = "Database:AllowNonDurable";

    /// <summary>The settings that are off (empty when the server is durable).</summary>
    public static async Task<IReadOnlyList<string>> NonDurableSettingsAsync(string connectionString, CancellationToken ct = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand(
            "SELECT name FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes') AND setting = 'off' ORDER BY name", connection);
        var off = new List<string>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            off.Add(reader.GetString(0));
        }

        return off;
    }

    /// <exception cref="InvalidOperationException">A setting is off and <paramref name="allowNonDurable"/> is false.</exception>
    public static async Task CheckAsync(string connectionString, bool allowNonDurable, ILogger logger, CancellationToken ct = default)
    {
        var off = await NonDurableSettingsAsync(connectionString, ct);
        if (off.Count == 0)
        {
            return;
        }

        var names = string.Join(", ", off);
        if (!allowNonDurable)
        {
            throw new InvalidOperationException(
                $"PostgreSQL has {names} off: an acknowledged licence could be lost in a crash. Turn {names} on, "
                + $"or set {AllowSetting}=true for a development database.");
        }

        LogNonDurable(logger, names);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "PostgreSQL has {Settings} off; allowed by Database:AllowNonDurable (development only)")]
    private static partial void LogNonDurable(ILogger logger, string settings);
}
