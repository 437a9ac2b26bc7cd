using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using OrleansLicenses.Idempotency;
using OrleansLicenses.Silo.Hosting;

namespace OrleansLicenses.Tests.Cluster;

[Collection(PostgresClusterCollection.Name)]
public sealed class IdempotencyTests(PostgresClusterFixture fixture)
{
    [Fact]
    public async Task Begin_ReplaysCompleted_RefusesOtherBody_AndInFlightDuplicate()
    {
        var grain = fixture.Client.GetGrain<IIdempotencyGrain>($"client/{Guid.NewGuid():N}");
        Assert.Equal(IdempotencyOutcome.Proceed, (await grain.BeginAsync("h1")).Outcome);
        Assert.Equal(IdempotencyOutcome.InFlight, (await grain.BeginAsync("h1")).Outcome);
        Assert.Equal(IdempotencyOutcome.Mismatch, (await grain.BeginAsync("h2")).Outcome);
        await grain.CompleteAsync("h1", 201, "{\"x\":1}", "/api/licenses/x");
        var replay = await grain.BeginAsync("h1");
        Assert.Equal((IdempotencyOutcome.Replay, 201, "{\"x\":1}"), (replay.Outcome, replay.StatusCode, replay.Body));
        Assert.Equal(IdempotencyOutcome.Mismatch, (await grain.BeginAsync("h2")).Outcome);
    }

    [Fact]
    public async Task Cleanup_DeletesRecordsPastRetention_AndKeepsRecentOnes()
    {
        var old = $"client/{Guid.NewGuid():N}";
        var recent = $"client/{Guid.NewGuid():N}";
        foreach (var key in new[] { old, recent })
        {
            var grain = fixture.Client.GetGrain<IIdempotencyGrain>(key);
            await grain.BeginAsync("h");
            await grain.CompleteAsync("h", 200, "{}", null);
        }

        await using var db = NpgsqlDataSource.Create(fixture.ConnectionString);
        await using (var backdate = db.CreateCommand("UPDATE grain_states SET updated_at = now() - interval '2 days' WHERE state_name = 'idempotency/idempotency' AND grain_key = $1"))
        {
            backdate.Parameters.AddWithValue(old);
            Assert.Equal(1, await backdate.ExecuteNonQueryAsync());
        }

        var cleanup = new IdempotencyCleanup(db, Options.Create(new ClusterOptions { ServiceId = "orleans-licenses-test" }), TimeProvider.System,
            NullLogger<IdempotencyCleanup>.Instance);
        Assert.True(await cleanup.SweepAsync() >= 1);
        await using var count = db.CreateCommand("SELECT count(*) FROM grain_states WHERE state_name = 'idempotency/idempotency' AND grain_key IN ($1, $2)");
        count.Parameters.AddWithValue(old);
        count.Parameters.AddWithValue(recent);
        Assert.Equal(1L, (long)(await count.ExecuteScalarAsync())!);
    }
}
