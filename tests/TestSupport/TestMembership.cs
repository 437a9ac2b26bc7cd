using Npgsql;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;

namespace OrleansLicenses.Tests;

/// <summary>Membership settings of every test cluster, and the death of a killed silo.</summary>
public static class TestMembership
{
    /// <summary>
    /// No silo is ever declared dead by probes in tests. The test projects run in parallel on 2 shared cores, with
    /// PostgreSQL clusters starting and stopping next to them; a silo can be starved of CPU for seconds (GC,
    /// thread-pool growth, initdb). With 1 s probes, 2 missed probes and 1 vote, such a stall got a live silo
    /// declared dead, and its grains and pending answers with it — a failure of the test rig, not of the code.
    /// Here a silo must miss 30 probes 10 s apart (5 minutes of silence, longer than any test) before anyone may
    /// vote it dead. Tests that kill a silo say so in the membership table themselves (<see cref="DeclareDeadAsync"/>),
    /// and the survivors read it within a second (<see cref="ClusterMembershipOptions.TableRefreshTimeout"/>).
    /// </summary>
    public static void Configure(ISiloBuilder silo) => silo.Configure<ClusterMembershipOptions>(o =>
    {
        o.ProbeTimeout = TimeSpan.FromSeconds(10);
        o.NumMissedProbesLimit = 30;
        o.DeathVoteExpirationTimeout = TimeSpan.FromHours(1);
        o.TableRefreshTimeout = TimeSpan.FromSeconds(1);
    });

    /// <summary>Marks a silo that the test has killed as dead (status 6) and moves the table version, as Orleans itself does.</summary>
    public static async Task DeclareDeadAsync(string connectionString, string clusterId, SiloAddress silo)
    {
        // A session of its own: the killed silo's pooled sessions (same connection string) have just been terminated.
        var own = new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = "test-membership", Pooling = false };
        await using var connection = new NpgsqlConnection(own.ConnectionString);
        await connection.OpenAsync();
        await using var tx = await connection.BeginTransactionAsync();
        await using (var row = new NpgsqlCommand(
            "UPDATE orleansmembershiptable SET status = 6 WHERE deploymentid = $1 AND address = $2 AND port = $3 AND generation = $4", connection, tx))
        {
            row.Parameters.AddWithValue(clusterId);
            row.Parameters.AddWithValue(silo.Endpoint.Address.ToString());
            row.Parameters.AddWithValue(silo.Endpoint.Port);
            row.Parameters.AddWithValue(silo.Generation);
            if (await row.ExecuteNonQueryAsync() != 1)
            {
                throw new InvalidOperationException($"Silo {silo} is not in the membership table of cluster {clusterId}.");
            }
        }

        await using (var version = new NpgsqlCommand(
            "UPDATE orleansmembershipversiontable SET version = version + 1, timestamp = now() WHERE deploymentid = $1", connection, tx))
        {
            version.Parameters.AddWithValue(clusterId);
            await version.ExecuteNonQueryAsync();
        }

        await tx.CommitAsync();
    }
}
