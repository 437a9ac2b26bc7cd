using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using OrleansLicenses.Silo.Database;

namespace OrleansLicenses.Tests.Cluster;

public sealed class SchemaGateTests
{
    [Fact]
    public async Task Verify_RefusesAFreshDatabase_AndPassesAsTheSiloLoginOnceMigrated()
    {
        var server = await PostgresServer.Shared;
        var owner = await server.CreateDatabaseAsync();
        var fresh = await Assert.ThrowsAsync<InvalidOperationException>(() => SchemaGate.PassAsync(Settings(owner, null, "Verify"), NullLogger.Instance));
        Assert.Contains(SchemaMigrator.Scripts[0].Name, fresh.Message, StringComparison.Ordinal);
        Assert.Equal(SchemaMigrator.Scripts.Select(s => s.Name), await SchemaMigrator.PendingAsync(owner));

        // The migrations job: applies as the owner and tells the process to exit.
        Assert.False(await SchemaGate.PassAsync(Settings("Host=unused", owner, "Only"), NullLogger.Instance));

        var silo = await SiloLoginAsync(owner);
        Assert.Empty(await SchemaMigrator.PendingAsync(silo));
        Assert.True(await SchemaGate.PassAsync(Settings(silo, null, "verify"), NullLogger.Instance));
    }

    [Fact]
    public async Task OnStart_IsTheDefault_AndAppliesWhatIsPending()
    {
        var owner = await (await PostgresServer.Shared).CreateDatabaseAsync();

        Assert.True(await SchemaGate.PassAsync(Settings(owner, null, null), NullLogger.Instance));

        Assert.Empty(await SchemaMigrator.PendingAsync(owner));
    }

    [Fact]
    public void Of_RefusesAnUnknownMode() =>
        Assert.Throws<InvalidOperationException>(() => MigrationModes.Of(Settings("Host=unused", null, "Sometimes")));

    private static IConfiguration Settings(string postgres, string? migrations, string? mode) => new ConfigurationBuilder()
        .AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = postgres,
            ["ConnectionStrings:Migrations"] = migrations,
            [MigrationModes.Setting] = mode,
        })
        .Build();

    private static async Task<string> SiloLoginAsync(string owner)
    {
        var login = $"ol_silo_gate_{Guid.NewGuid():N}"[..24];
        await using var connection = new NpgsqlConnection(owner);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand($"CREATE ROLE {login} LOGIN IN ROLE ol_silo", connection);
        await cmd.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(owner) { Username = login }.ConnectionString;
    }
}
