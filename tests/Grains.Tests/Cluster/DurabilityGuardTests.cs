using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using OrleansLicenses.Silo.Database;

namespace OrleansLicenses.Tests.Cluster;

/// <summary>Issue 15, start-up safety: a silo refuses a PostgreSQL that would not keep what it acknowledges.</summary>
public sealed class DurabilityGuardTests
{
    [Fact]
    public async Task AServerWithCommitsNotKept_IsRefused_NamingEachSetting_UnlessDevelopmentAllowsIt()
    {
        // The test server runs with fsync off; a login with synchronous_commit off adds the second setting.
        var connectionString = await PlatformDatabase.CreateAsync();
        var login = $"nondurable_{Guid.NewGuid():N}"[..24];
        await using (var admin = new NpgsqlConnection(connectionString))
        {
            await admin.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE ROLE {login} LOGIN; ALTER ROLE {login} SET synchronous_commit = off", admin);
            await cmd.ExecuteNonQueryAsync();
        }

        var asLogin = new NpgsqlConnectionStringBuilder(connectionString) { Username = login }.ConnectionString;
        Assert.Equal(["fsync", "synchronous_commit"], await DurabilityGuard.NonDurableSettingsAsync(asLogin));

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => DurabilityGuard.CheckAsync(asLogin, allowNonDurable: false, NullLogger.Instance));
        Assert.Contains("fsync, synchronous_commit", refused.Message, StringComparison.Ordinal);
        Assert.Contains(DurabilityGuard.AllowSetting, refused.Message, StringComparison.Ordinal);

        await DurabilityGuard.CheckAsync(asLogin, allowNonDurable: true, NullLogger.Instance);
    }
}
