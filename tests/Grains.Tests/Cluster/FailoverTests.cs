using Npgsql;
using OrleansLicenses.Tests.Probes;

namespace OrleansLicenses.Tests.Cluster;

/// <summary>Membership, grain state and recovery on PostgreSQL, with silos that are killed (not stopped).</summary>
public sealed class FailoverTests
{
    [Fact]
    public async Task KilledSilo_GrainReactivatesOnSurvivorWithItsState_AndThirdSiloJoins()
    {
        var connectionString = await PlatformDatabase.CreateAsync();
        var cluster = await TestClusters.StartAsync(connectionString, silos: 2);
        try
        {
            // Find a key whose grain lives on the silo we will kill (not the one hosting the test client's gateway matters not).
            var grain = cluster.Client.GetGrain<IProbeAGrain>($"failover-{Guid.NewGuid():N}");
            await grain.SetAsync("persisted before the crash");
            var host = await grain.GetSiloAsync();
            var victim = cluster.Silos.Single(s => s.SiloAddress.Equals(host));

            await cluster.KillAsync(victim, connectionString);

            var value = await Eventually(() => grain.GetAsync(), TimeSpan.FromSeconds(60));
            Assert.Equal("persisted before the crash", value);
            var newHost = await grain.GetSiloAsync();
            Assert.NotEqual(host, newHost);

            var third = await cluster.StartAdditionalSiloAsync();
            var active = await WaitForActiveSilos(connectionString, expected: 2, TimeSpan.FromSeconds(60));
            Assert.Contains(third.SiloAddress.Endpoint.Port, active);
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }

    private static async Task<T> Eventually<T>(Func<Task<T>> action, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            try
            {
                return await action();
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(250);
            }
        }
    }

    private static async Task<List<int>> WaitForActiveSilos(string connectionString, int expected, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            // Status 3 = Active in Orleans' SiloStatus.
            await using var cmd = new NpgsqlCommand("SELECT port FROM orleansmembershiptable WHERE status = 3", connection);
            var ports = new List<int>();
            await using (var reader = await cmd.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    ports.Add(reader.GetInt32(0));
                }
            }

            if (ports.Count >= expected || DateTime.UtcNow > deadline)
            {
                return ports;
            }

            await Task.Delay(250);
        }
    }
}
