using Npgsql;
using OrleansLicenses.Tests.Probes;

namespace OrleansLicenses.Tests.Cluster;

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
        await a.DeactivateAsync();
        await b.DeactivateAsync();
        await Task.WhenAll(fixture.Cluster.WaitForDeactivationAsync(a), fixture.Cluster.WaitForDeactivationAsync(b));

        Assert.Equal("value of A", await a.GetAsync());
        Assert.Equal("value of B", await b.GetAsync());
        Assert.Equal(2, await CountRows(key));
    }

    [Fact]
    public async Task StoredState_IsPlainJson()
    {
        var key = $"json-{Guid.NewGuid():N}";
        await fixture.Client.GetGrain<IProbeAGrain>(key).SetAsync("readable");

        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT convert_from(payloadbinary, 'UTF8') FROM orleansstorage WHERE grainidextensionstring = '~' || $1", connection);
        cmd.Parameters.AddWithValue(key);
        var json = (string?)await cmd.ExecuteScalarAsync();
        Assert.NotNull(json);
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        Assert.Equal("readable", doc.RootElement.GetProperty("Value").GetString());
        Assert.DoesNotContain("$type", json, StringComparison.Ordinal);
    }

    private async Task<long> CountRows(string key)
    {
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM orleansstorage WHERE grainidextensionstring = '~' || $1", connection);
        cmd.Parameters.AddWithValue(key);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
