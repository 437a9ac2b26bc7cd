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

    [Fact]
    public async Task ApplyAsync_WhenAnotherDatabaseChangesTheSharedRoleMembershipsAtTheSameMoment_RetriesAndMigrates()
    {
        // Roles and role memberships belong to the whole server, so the per-database advisory lock does not serialise
        // them: CI met "tuple concurrently deleted" when parallel test databases ran 0021's REVOKE at the same moment.
        // Reproduced deterministically: another session holds an uncommitted REVOKE of the same membership while this
        // database migrates. A server of its own, because the membership is briefly granted here.
        await using var server = await PostgresServer.StartAsync();
        var first = await server.CreateDatabaseAsync();
        await SchemaMigrator.ApplyAsync(first);
        var second = await server.CreateDatabaseAsync();

        await using var other = new NpgsqlConnection(first);
        await other.OpenAsync();
        await Exec(other, "GRANT pg_read_all_data TO ol_api_host");
        await Exec(other, "BEGIN");
        await Exec(other, "REVOKE pg_read_all_data FROM ol_api_host");

        var migrating = Task.Run(() => SchemaMigrator.ApplyAsync(second));
        await WaitUntilBlockedAsync(server.ConnectionString("postgres"), migrating);
        await Exec(other, "COMMIT");

        await migrating;
        Assert.Empty(await SchemaMigrator.PendingAsync(second));
    }

    private static async Task WaitUntilBlockedAsync(string connectionString, Task migrating)
    {
        // Its own connection: pg_stat_activity is read once per transaction, and the other session is inside one.
        await using var observer = new NpgsqlConnection(connectionString);
        await observer.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()", observer);
        for (var i = 0; i < 300 && !migrating.IsCompleted; i++)
        {
            if ((long)(await cmd.ExecuteScalarAsync())! > 0)
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail("The migration never waited on the other session's REVOKE.");
    }

    private static async Task Exec(NpgsqlConnection connection, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, connection);
        await cmd.ExecuteNonQueryAsync();
    }
}
