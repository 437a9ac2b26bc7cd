using Npgsql;
using OrleansLicenses.Errors;
using OrleansLicenses.Licenses;

namespace OrleansLicenses.Tests.Licenses;

/// <summary>
/// One transaction per licence change: state, read-model row and change-feed entry commit together or not at all.
/// Its own cluster and database, because the change-feed table is taken away in the middle.
/// </summary>
public sealed class LicenseTransactionTests
{
    [Fact]
    public async Task ChangeWhoseTransactionFails_LeavesStateReadModelAndFeedUnchanged_AndAnswersUnavailable()
    {
        var connectionString = await PlatformDatabase.CreateAsync();
        var cluster = await TestClusters.StartAsync(connectionString);
        try
        {
            await LicenseWorld.SeedAsync(cluster.Client);
            var grains = cluster.Client;
            var number = LicenseWorld.Number(LicenseWorld.NewSerial());
            var today = TestCalendar.Today;
            var issued = await grains.GetGrain<ILicenseGrain>(number).IssueAsync(LicenseWorld.Issue(LicenseWorld.NewHolder(), today), LicenseWorld.Issuer);
            Assert.Equal([(1, "issue", issued.Id)], await LicenseWorld.FeedRows(connectionString, number));
            var stateBefore = Assert.Single(await LicenseWorld.StoredLicenseRows(connectionString, grains, number));
            var rowBefore = Assert.Single(await LicenseWorld.ReadModelRows(connectionString, number));

            // The feed insert is the last statement of the transaction: the state and read-model writes before it
            // must be rolled back with it.
            await Execute(connectionString, "ALTER TABLE license_changes RENAME TO license_changes_unavailable");
            try
            {
                await Assert.ThrowsAsync<ServiceUnavailableException>(() => grains.GetGrain<ILicenseGrain>(number)
                    .ChangeAsync(new ChangeLicense(LicenseWorld.Fields(address: "哈尔滨市道里区新址2号"), null, "经营场所变更"), LicenseWorld.Issuer));
                await Assert.ThrowsAsync<ServiceUnavailableException>(() => grains.GetGrain<ILicenseGrain>(number)
                    .ApplyAsync(new LifecycleEvent(LicenseEventTypes.Revoke, "吊销"), LicenseWorld.Issuer));
            }
            finally
            {
                await Execute(connectionString, "ALTER TABLE license_changes_unavailable RENAME TO license_changes");
            }

            Assert.Equal(stateBefore, Assert.Single(await LicenseWorld.StoredLicenseRows(connectionString, grains, number)));
            Assert.Equal(rowBefore, Assert.Single(await LicenseWorld.ReadModelRows(connectionString, number)));
            Assert.Equal([(1, "issue", issued.Id)], await LicenseWorld.FeedRows(connectionString, number));
            // The failed activation was dropped: what is served again is what was committed.
            var served = await grains.GetGrain<ILicenseGrain>(number).GetAsync(null, LicenseWorld.Issuer);
            Assert.Equal(issued.Id, served!.Id);
            Assert.Equal("valid", served.Status);

            // And the next change commits all three together, in order.
            var changed = await grains.GetGrain<ILicenseGrain>(number)
                .ChangeAsync(new ChangeLicense(LicenseWorld.Fields(address: "哈尔滨市道里区新址2号"), null, "经营场所变更"), LicenseWorld.Issuer);
            Assert.Equal([(1, "issue", issued.Id), (2, "change", changed.Id)], await LicenseWorld.FeedRows(connectionString, number));
            Assert.Equal((changed.Id, 2), Assert.Single(await LicenseWorld.ReadModelRows(connectionString, number)) is var r ? (r.Identifier, r.Revision) : default);
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }

    [Fact]
    public async Task IssuanceWhoseTransactionFails_LeavesNothing_AndARetryIssuesOnce()
    {
        var connectionString = await PlatformDatabase.CreateAsync();
        var cluster = await TestClusters.StartAsync(connectionString);
        try
        {
            await LicenseWorld.SeedAsync(cluster.Client);
            var number = LicenseWorld.Number(LicenseWorld.NewSerial());
            var command = LicenseWorld.Issue(LicenseWorld.NewHolder(), TestCalendar.Today);
            await Execute(connectionString, "ALTER TABLE license_changes RENAME TO license_changes_unavailable");
            try
            {
                await Assert.ThrowsAsync<ServiceUnavailableException>(() => cluster.Client.GetGrain<ILicenseGrain>(number).IssueAsync(command, LicenseWorld.Issuer));
            }
            finally
            {
                await Execute(connectionString, "ALTER TABLE license_changes_unavailable RENAME TO license_changes");
            }

            Assert.Empty(await LicenseWorld.StoredLicenseRows(connectionString, cluster.Client, number));
            Assert.Empty(await LicenseWorld.ReadModelRows(connectionString, number));
            Assert.Empty(await LicenseWorld.FeedRows(connectionString, number));
            Assert.Null(await cluster.Client.GetGrain<ILicenseGrain>(number).GetAsync(null, LicenseWorld.Issuer));

            // The client's retry (same number, same body) issues it, exactly once.
            var issued = await cluster.Client.GetGrain<ILicenseGrain>(number).IssueAsync(command, LicenseWorld.Issuer);
            Assert.Equal([(1, "issue", issued.Id)], await LicenseWorld.FeedRows(connectionString, number));
            Assert.Single(await LicenseWorld.ReadModelRows(connectionString, number));
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
