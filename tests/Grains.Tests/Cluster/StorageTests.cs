using OrleansLicenses.ReadModel;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans.Storage;
using OrleansLicenses.Hosting;
using OrleansLicenses.Silo.Hosting;
using OrleansLicenses.Tests.Probes;

namespace OrleansLicenses.Tests.Cluster;

/// <summary>The grain storage of the platform (grain_states), and how it takes over what the ADO.NET provider wrote.</summary>
[Collection(PostgresClusterCollection.Name)]
public sealed class StorageTests(PostgresClusterFixture fixture)
{
    [Fact]
    public async Task TwoGrainTypes_WithSameKeyAndStateName_KeepSeparateState()
    {
        var key = $"shared-{Guid.NewGuid():N}";
        var a = fixture.Client.GetGrain<IProbeAGrain>(key);
        var b = fixture.Client.GetGrain<IProbeBGrain>(key);
        await a.SetAsync("value of A");
        await b.SetAsync("value of B");

        // Deactivate both so the next read comes from PostgreSQL, not from memory.
        await Reactivate(a, b);

        Assert.Equal("value of A", await a.GetAsync());
        Assert.Equal("value of B", await b.GetAsync());
        Assert.Equal(2L, await Scalar("SELECT count(*) FROM grain_states WHERE grain_key = $1", key));
    }

    [Fact]
    public async Task KeysThatDifferOnlyInCase_AreDifferentGrains()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var lower = fixture.Client.GetGrain<IProbeAGrain>("a" + suffix);
        var upper = fixture.Client.GetGrain<IProbeAGrain>("A" + suffix.ToUpperInvariant());
        await lower.SetAsync("lower");
        await upper.SetAsync("upper");
        await Reactivate(lower, upper);

        Assert.Equal("lower", await lower.GetAsync());
        Assert.Equal("upper", await upper.GetAsync());
    }

    [Fact]
    public async Task StoredState_IsPlainJson_KeyedVerbatim()
    {
        var key = $"json-{Guid.NewGuid():N}";
        await fixture.Client.GetGrain<IProbeAGrain>(key).SetAsync("readable");

        var json = (string?)await Scalar("SELECT state::text FROM grain_states WHERE grain_key = $1 AND state_name LIKE '%/probe'", key);
        Assert.NotNull(json);
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        Assert.Equal("readable", doc.RootElement.GetProperty("Value").GetString());
        Assert.DoesNotContain("$type", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StateWrittenByTheAdoNetProvider_IsCopiedByTheMigration()
    {
        var key = $"copied-{Guid.NewGuid():N}";
        var grain = fixture.Client.GetGrain<IProbeAGrain>(key);
        // What an earlier version of the platform stored: the ADO.NET provider behind the type-scoping wrapper.
        await Legacy.WriteStateAsync("probe", IdOf(grain), new GrainState<ProbeState>(new ProbeState { Value = "written before" }));

        await using (var connection = new NpgsqlConnection(fixture.ConnectionString))
        {
            await connection.OpenAsync();
            await using var stream = typeof(SiloSetup).Assembly.GetManifestResourceStream("sql/0017_grain_states.sql")!;
            await using var migration = new NpgsqlCommand(await new StreamReader(stream).ReadToEndAsync(), connection);
            await migration.ExecuteNonQueryAsync(); // the migration again: it is idempotent
        }

        Assert.Equal(1L, await Scalar("SELECT count(*) FROM grain_states WHERE grain_key = $1", key));
        Assert.Equal("written before", await grain.GetAsync());
        await grain.SetAsync("written after");
        await Reactivate(grain);
        Assert.Equal("written after", await grain.GetAsync());
    }

    [Fact]
    public async Task ARowTheMigrationDidNotCopy_IsReadThroughTheAdoNetProvider_AndItsNextWriteMovesIt()
    {
        var key = $"straggler-{Guid.NewGuid():N}";
        var id = IdOf(fixture.Client.GetGrain<IProbeAGrain>(key));
        await Legacy.WriteStateAsync("probe", id, new GrainState<ProbeState>(new ProbeState { Value = "written by an older silo" }));
        var storage = FreshStorage(); // a silo starting now, which finds that row missing from grain_states

        var state = new GrainState<ProbeState>();
        await storage.ReadStateAsync("probe", id, state);
        Assert.Equal("written by an older silo", state.State!.Value);
        state.State.Value = "moved";
        await storage.WriteStateAsync("probe", id, state);
        Assert.Equal(1L, await Scalar("SELECT count(*) FROM grain_states WHERE grain_key = $1", key));

        var again = new GrainState<ProbeState>();
        await FreshStorage().ReadStateAsync("probe", id, again);
        Assert.Equal("moved", again.State!.Value);
    }

    [Fact]
    public async Task AWriteWithAStaleEtag_IsRefused_AndAClearedStateDoesNotBringBackTheOldRow()
    {
        var key = $"etag-{Guid.NewGuid():N}";
        var id = IdOf(fixture.Client.GetGrain<IProbeAGrain>(key));
        await Legacy.WriteStateAsync("probe", id, new GrainState<ProbeState>(new ProbeState { Value = "old row" }));
        var storage = FreshStorage();

        var first = new GrainState<ProbeState>();
        await storage.ReadStateAsync("probe", id, first);
        var second = new GrainState<ProbeState>();
        await storage.ReadStateAsync("probe", id, second);
        Assert.Equal("old row", first.State!.Value);

        first.State.Value = "first writer";
        await storage.WriteStateAsync("probe", id, first);
        second.State!.Value = "second writer";
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("probe", id, second));

        await storage.ClearStateAsync("probe", id, first);
        var afterClear = new GrainState<ProbeState>();
        await FreshStorage().ReadStateAsync("probe", id, afterClear);
        Assert.False(afterClear.RecordExists);
        Assert.Null(afterClear.State!.Value);
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("probe", id, second));
    }

    [Fact]
    public async Task ReadModelRows_CommitWithTheState_AndAStaleWriteLeavesNeitherBehind()
    {
        await Execute("CREATE TABLE IF NOT EXISTS probe_read_model (grain_key text PRIMARY KEY, value text)");
        var key = $"projected-{Guid.NewGuid():N}";
        var id = IdOf(fixture.Client.GetGrain<IProbeAGrain>(key));
        var storage = FreshStorage(new ProbeProjector());

        var first = new GrainState<ProbeState>();
        await storage.ReadStateAsync("probe", id, first);
        var second = new GrainState<ProbeState>();
        await storage.ReadStateAsync("probe", id, second);
        first.State!.Value = "first writer";
        await storage.WriteStateAsync("probe", id, first);
        Assert.Equal("first writer", await Scalar("SELECT value FROM probe_read_model WHERE grain_key = $1", id.Key.ToString()!));

        // The second writer's etag is stale: its state and its row are both refused, in one rollback.
        second.State!.Value = "second writer";
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("probe", id, second));
        Assert.Equal("first writer", await Scalar("SELECT value FROM probe_read_model WHERE grain_key = $1", id.Key.ToString()!));

        first.State.Value = "first writer again";
        await storage.WriteStateAsync("probe", id, first);
        Assert.Equal("first writer again", await Scalar("SELECT value FROM probe_read_model WHERE grain_key = $1", id.Key.ToString()!));
    }

    private sealed class ProbeProjector : ReadModelProjector<ProbeState>
    {
        protected override IReadOnlyList<NpgsqlBatchCommand> Rows(string grainKey, ProbeState state)
        {
            var row = new NpgsqlBatchCommand("INSERT INTO probe_read_model (grain_key, value) VALUES ($1, $2) ON CONFLICT (grain_key) DO UPDATE SET value = EXCLUDED.value");
            row.Parameters.AddWithValue(grainKey);
            row.Parameters.AddWithValue((object?)state.Value ?? DBNull.Value);
            return [row];
        }
    }

    private async Task Execute(string sql)
    {
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        await cmd.ExecuteNonQueryAsync();
    }

    private IServiceProvider Services => fixture.Cluster.GetSiloServiceProvider(fixture.Cluster.Silos[0].SiloAddress);

    private GrainTypeScopedStorage Legacy => new(Services.GetRequiredKeyedService<IGrainStorage>("pg-adonet"));

    private PlatformGrainStorage FreshStorage(params IReadModelProjector[] projectors) =>
        new(Services.GetRequiredService<NpgsqlDataSource>(), Services.GetRequiredService<IGrainStorageSerializer>(), Legacy, projectors);

    private static GrainId IdOf(IProbeGrain grain) => ((GrainReference)(object)grain).GrainId;

    private async Task Reactivate(params IProbeGrain[] grains)
    {
        foreach (var grain in grains)
        {
            await grain.DeactivateAsync();
        }

        await Task.WhenAll(grains.Select(g => fixture.Cluster.WaitForDeactivationAsync((IAddressable)g)));
    }

    private async Task<object?> Scalar(string sql, string key)
    {
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        cmd.Parameters.AddWithValue(key);
        return await cmd.ExecuteScalarAsync();
    }
}
