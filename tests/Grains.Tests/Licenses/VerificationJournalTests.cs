using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OrleansLicenses.Access;
using OrleansLicenses.Errors;
using OrleansLicenses.Journal;
using OrleansLicenses.Licenses;
using OrleansLicenses.Units;
using OrleansLicenses.Verification;

namespace OrleansLicenses.Tests.Licenses;

/// <summary>
/// A verification's use record and audit record commit together, in the silo, before it is answered; and
/// verifications of one licence interleave while they wait for that commit. Its own cluster and database, because
/// tables are locked and taken away.
/// </summary>
public sealed class VerificationJournalTests
{
    private const string Hall = "11230100000000035D";
    private const string Matter = "230100-FOOD-001";
    private static readonly Caller Verifier = new("hall-1", Roles.Verifier, Hall, null, "t");

    [Fact]
    public async Task VerificationWhoseCommitFails_IsNotAnswered_AndLeavesNeitherUseNorAuditRecord()
    {
        await using var world = await World.StartAsync();
        var (number, holder) = await world.IssueAsync();
        await world.ExecuteAsync("ALTER TABLE license_uses RENAME TO license_uses_unavailable");
        try
        {
            await Assert.ThrowsAsync<ServiceUnavailableException>(() => world.Grains.GetGrain<ILicenseGrain>(number).VerifyAsync(Request(holder, "commit-fails"), Verifier));
        }
        finally
        {
            await world.ExecuteAsync("ALTER TABLE license_uses_unavailable RENAME TO license_uses");
        }

        Assert.Equal(0L, await world.ScalarAsync("SELECT count(*) FROM license_uses WHERE purpose = 'commit-fails'"));
        Assert.Equal(0L, await world.ScalarAsync("SELECT count(*) FROM audit_records WHERE purpose = 'commit-fails'"));

        // Once the database accepts it again, the same verification is answered, with both records.
        var outcome = await world.Grains.GetGrain<ILicenseGrain>(number).VerifyAsync(Request(holder, "commit-fails"), Verifier);
        Assert.NotNull(outcome);
        Assert.Equal(1L, await world.ScalarAsync("SELECT count(*) FROM license_uses WHERE purpose = 'commit-fails' AND id = $1::uuid", outcome.VerificationId));
        Assert.Equal(1L, await world.ScalarAsync(
            "SELECT count(*) FROM audit_records WHERE purpose = 'commit-fails' AND chain_id <> 'main' AND resource LIKE '%' || $1", outcome.VerificationId));
    }

    [Fact]
    public async Task ConcurrentVerificationsOfOneLicence_Interleave_WhileTheirCommitIsPending()
    {
        await using var world = await World.StartAsync();
        var (number, holder) = await world.IssueAsync();
        const int concurrent = 8;

        // Hold the use archive's table lock so no journal batch can commit; count what waits for the commit.
        await using var blocker = new NpgsqlConnection(world.ConnectionString);
        await blocker.OpenAsync();
        await using var tx = await blocker.BeginTransactionAsync();
        await using (var lockTable = new NpgsqlCommand("LOCK TABLE license_uses IN ACCESS EXCLUSIVE MODE", blocker, tx))
        {
            await lockTable.ExecuteNonQueryAsync();
        }

        var verifications = Enumerable.Range(0, concurrent)
            .Select(_ => world.Grains.GetGrain<ILicenseGrain>(number).VerifyAsync(Request(holder, "interleaved"), Verifier)).ToList();
        // A non-reentrant grain would hold every other verification of this licence behind the first one's commit:
        // at most one would ever wait in a journal. All of them waiting at once shows they interleave.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (world.WaitingInJournals() < concurrent)
        {
            Assert.True(DateTime.UtcNow < deadline, $"only {world.WaitingInJournals()} verifications were in flight at once");
            await Task.Delay(20);
        }

        Assert.All(verifications, v => Assert.False(v.IsCompleted));
        await tx.RollbackAsync();
        var outcomes = await Task.WhenAll(verifications);
        Assert.All(outcomes, o => Assert.True(o!.Valid));
        Assert.Equal((long)concurrent, await world.ScalarAsync("SELECT count(*) FROM license_uses WHERE purpose = 'interleaved'"));
        Assert.Equal((long)concurrent, await world.ScalarAsync("SELECT count(*) FROM audit_records WHERE purpose = 'interleaved'"));
        // They waited together, so they committed as one batch: one statement each for the use and the audit rows.
        // The rows are whole (arrays, nulls) and the audit records are consecutive links of one silo chain.
        Assert.Equal((long)concurrent, await world.ScalarAsync(
            "SELECT count(*) FROM license_uses WHERE purpose = 'interleaved' AND reasons = '{}' AND comparison IS NULL AND authorization_id IS NULL AND valid AND holder_key = $1",
            holder.Key));
        Assert.Equal(1L, await world.ScalarAsync("SELECT count(DISTINCT chain_id) FROM audit_records WHERE purpose = 'interleaved'"));
        Assert.Equal((long)concurrent - 1, await world.ScalarAsync("""
            SELECT max(seq) - min(seq) FROM audit_records WHERE purpose = 'interleaved'
            """));
    }

    [Fact]
    public async Task OneRecordTheDatabaseRefuses_FailsOnlyItsOwnVerification_NotTheRestOfItsBatch()
    {
        await using var world = await World.StartAsync();
        var (number, holder) = await world.IssueAsync();
        await world.ExecuteAsync("ALTER TABLE license_uses ADD CONSTRAINT no_poison CHECK (purpose <> 'poison') NOT VALID");
        try
        {
            await using var blocker = new NpgsqlConnection(world.ConnectionString);
            await blocker.OpenAsync();
            await using var tx = await blocker.BeginTransactionAsync();
            await using (var lockTable = new NpgsqlCommand("LOCK TABLE license_uses IN ACCESS EXCLUSIVE MODE", blocker, tx))
            {
                await lockTable.ExecuteNonQueryAsync();
            }

            var grain = world.Grains.GetGrain<ILicenseGrain>(number);
            var fine = Enumerable.Range(0, 4).Select(_ => grain.VerifyAsync(Request(holder, "batch-mate"), Verifier)).ToList();
            var poison = grain.VerifyAsync(Request(holder, "poison"), Verifier);
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (world.WaitingInJournals() < 5)
            {
                Assert.True(DateTime.UtcNow < deadline, "the verifications did not all wait for the same commit");
                await Task.Delay(20);
            }

            await tx.RollbackAsync();
            await Assert.ThrowsAsync<ServiceUnavailableException>(() => poison);
            Assert.All(await Task.WhenAll(fine), o => Assert.True(o!.Valid));
        }
        finally
        {
            await world.ExecuteAsync("ALTER TABLE license_uses DROP CONSTRAINT no_poison");
        }

        Assert.Equal(4L, await world.ScalarAsync("SELECT count(*) FROM license_uses WHERE purpose = 'batch-mate'"));
        Assert.Equal(4L, await world.ScalarAsync("SELECT count(*) FROM audit_records WHERE purpose = 'batch-mate'"));
        Assert.Equal(0L, await world.ScalarAsync("SELECT count(*) FROM audit_records WHERE purpose = 'poison'"));
    }

    private static VerifyLicense Request(HolderRef holder, string purpose) =>
        new(null, VerificationBasis.Scope, Matter, purpose, null, null, holder.Key, null);

    private sealed class World : IAsyncDisposable
    {
        private World(string connectionString, Orleans.TestingHost.InProcessTestCluster cluster)
        {
            ConnectionString = connectionString;
            Cluster = cluster;
        }

        public string ConnectionString { get; }

        public Orleans.TestingHost.InProcessTestCluster Cluster { get; }

        public IGrainFactory Grains => Cluster.Client;

        public static async Task<World> StartAsync()
        {
            var connectionString = await PlatformDatabase.CreateAsync();
            var world = new World(connectionString, await TestClusters.StartAsync(connectionString));
            await LicenseWorld.SeedAsync(world.Grains);
            await world.Grains.GetGrain<IUnitGrain>(Hall).DefineAsync(new UnitDefinition("哈尔滨市政务服务中心", "230100", "city", LicenseWorld.ProvinceMarket, [],
                [new MatterScope(Matter, "食品经营许可变更", [LicenseWorld.FoodType])], "active"), LicenseWorld.Admin);
            return world;
        }

        public async Task<(string Number, HolderRef Holder)> IssueAsync()
        {
            var number = LicenseWorld.Number(LicenseWorld.NewSerial());
            var holder = LicenseWorld.NewHolder();
            await Grains.GetGrain<ILicenseGrain>(number).IssueAsync(LicenseWorld.Issue(holder, TestCalendar.Today), LicenseWorld.Issuer);
            return (number, holder);
        }

        public long WaitingInJournals() => Cluster.Silos.Sum(s => Cluster.GetSiloServiceProvider(s.SiloAddress).GetRequiredService<VerificationJournal>().Waiting);

        public async Task ExecuteAsync(string sql)
        {
            await using var connection = new NpgsqlConnection(ConnectionString);
            await connection.OpenAsync();
            await using var cmd = new NpgsqlCommand(sql, connection);
            await cmd.ExecuteNonQueryAsync();
        }

        public async Task<object?> ScalarAsync(string sql, params object[] parameters)
        {
            await using var connection = new NpgsqlConnection(ConnectionString);
            await connection.OpenAsync();
            await using var cmd = new NpgsqlCommand(sql, connection);
            foreach (var p in parameters)
            {
                cmd.Parameters.AddWithValue(p);
            }

            return await cmd.ExecuteScalarAsync();
        }

        public async ValueTask DisposeAsync()
        {
            await Cluster.StopAllSilosAsync();
            await Cluster.DisposeAsync();
        }
    }
}
