using Npgsql;
using OrleansLicenses.Licenses;

namespace OrleansLicenses.Tests.Licenses;

/// <summary>
/// The licence is acknowledged once its grain state is committed; a read model that cannot be written at that
/// moment catches up by itself. Its own cluster and database, because the read-model table is taken away.
/// </summary>
public sealed class ProjectionRetryTests
{
    [Fact]
    public async Task ReadModelOutage_DoesNotFailTheIssuance_AndTheReadModelCatchesUp()
    {
        var connectionString = await PlatformDatabase.CreateAsync();
        var cluster = await TestClusters.StartAsync(connectionString);
        try
        {
            await LicenseWorld.SeedAsync(cluster.Client);
            var number = LicenseWorld.Number(LicenseWorld.NewSerial());
            await Execute(connectionString, "ALTER TABLE licenses RENAME TO licenses_unavailable");
            LicenseView issued;
            try
            {
                issued = await cluster.Client.GetGrain<ILicenseGrain>(number)
                    .IssueAsync(LicenseWorld.Issue(LicenseWorld.NewHolder(), new DateOnly(2026, 11, 28)), LicenseWorld.Issuer);
            }
            finally
            {
                await Execute(connectionString, "ALTER TABLE licenses_unavailable RENAME TO licenses");
            }

            Assert.Equal("valid", issued.Status);
            Assert.Empty(await LicenseWorld.ReadModelRows(connectionString, number));
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while ((await LicenseWorld.ReadModelRows(connectionString, number)).Count == 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(250);
            }

            var row = Assert.Single(await LicenseWorld.ReadModelRows(connectionString, number));
            Assert.Equal(issued.Id, row.Identifier);
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }

    private static async Task Execute(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        await cmd.ExecuteNonQueryAsync();
    }
}
