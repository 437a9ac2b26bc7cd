using Npgsql;
using OrleansLicenses.Silo.Database;

namespace OrleansLicenses.Tests.Cluster;

public sealed class MigrationTests
{
    [Fact]
    public async Task ApplyAsync_Twice_RecordsEachMigrationOnce()
    {
        var server = await PostgresServer.Shared;
        var connectionString = await server.CreateDatabaseAsync();
        await SchemaMigrator.ApplyAsync(connectionString);
        await SchemaMigrator.ApplyAsync(connectionString);

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT version FROM schema_migrations ORDER BY version", connection);
        var versions = new List<string>();
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                versions.Add(reader.GetString(0));
            }
        }

        Assert.Equal(SchemaMigrator.Scripts.Select(s => s.Name), versions);
        Assert.NotEmpty(versions);
    }

    [Fact]
    public async Task ApplyAsync_WhenAnAppliedMigrationChanged_Refuses()
    {
        var connectionString = await PlatformDatabase.CreateAsync();
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var cmd = new NpgsqlCommand("UPDATE schema_migrations SET sha256 = 'edited' WHERE version = $1", connection);
            cmd.Parameters.AddWithValue(SchemaMigrator.Scripts[0].Name);
            Assert.Equal(1, await cmd.ExecuteNonQueryAsync());
        }

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => SchemaMigrator.ApplyAsync(connectionString));
        Assert.Contains(SchemaMigrator.Scripts[0].Name, error.Message, StringComparison.Ordinal);
    }
}
