using Microsoft.Extensions.Configuration;
using Orleans.Hosting;
using Orleans.TestingHost;
using OrleansLicenses.Silo.Hosting;

namespace OrleansLicenses.Tests;

/// <summary>
/// An in-process Orleans cluster whose membership, grain state and reminders live in PostgreSQL — the same
/// providers and SQL as production, with its own cluster id so runs never wait on each other's dead silos.
/// </summary>
public static class TestClusters
{
    /// <summary>The service id of every test cluster unless a test asks for another: grain state is keyed by it.</summary>
    public const string DefaultServiceId = "orleans-licenses-test";

    /// <param name="connectionString">The database of the cluster (membership, grain state, reminders, read model).</param>
    /// <param name="silos">Number of silos.</param>
    /// <param name="configure">Adds configuration to each silo host.</param>
    /// <param name="serviceId">The service id (default <see cref="DefaultServiceId"/>). Two clusters on one database with the same
    /// service id share grain state; each cluster always gets its own fresh cluster id.</param>
    /// <param name="configureSilo">Runs last on each silo builder, e.g. to replace a service such as the <see cref="TimeProvider"/>.</param>
    public static async Task<InProcessTestCluster> StartAsync(
        string connectionString,
        int silos = 2,
        Action<IConfigurationBuilder>? configure = null,
        string? serviceId = null,
        Action<ISiloBuilder>? configureSilo = null)
    {
        var builder = new InProcessTestClusterBuilder((short)silos);
        // The in-memory membership of the testing host must be off so the silos use ADO.NET clustering on
        // PostgreSQL like production. 10.4.2 does not expose the setter publicly, hence reflection.
        typeof(InProcessTestClusterOptions).GetProperty("UseTestClusterMembership", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic)!
            .SetValue(builder.Options, false);
        builder.Options.ClusterId = $"test-{Guid.NewGuid():N}";
        builder.Options.ServiceId = serviceId ?? DefaultServiceId;
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = connectionString,
            ["Signing:KeyEncryptionKey"] = TestSecrets.KeyEncryptionKey,
        };

        builder.ConfigureSiloHost((_, host) =>
        {
            host.Configuration.AddInMemoryCollection(settings);
            configure?.Invoke(host.Configuration);
        });
        builder.ConfigureSilo((_, silo) =>
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
            silo.UseAdoNetClustering(o =>
            {
                o.Invariant = SiloSetup.Invariant;
                o.ConnectionString = connectionString;
            });
            silo.AddLicensePlatform(configuration);
            TestMembership.Configure(silo);
            TestCalendar.Clock.Register(silo);
            configureSilo?.Invoke(silo);
        });
        builder.ConfigureClient(client => client.UseAdoNetClustering(o =>
        {
            o.Invariant = SiloSetup.Invariant;
            o.ConnectionString = connectionString;
        }));

        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    /// <summary>Kills a silo (no graceful shutdown) and records its death in the membership table, as an
    /// orchestrator that saw the process exit would: the survivors learn it at their next table refresh (1 s),
    /// not from probes, which tests have made too patient to ever declare a death (see <see cref="TestMembership"/>).</summary>
    public static async Task KillAsync(this InProcessTestCluster cluster, InProcessSiloHandle silo, string connectionString)
    {
        var address = silo.SiloAddress;
        await cluster.KillSiloAsync(silo);
        await TestMembership.DeclareDeadAsync(connectionString, cluster.Options.ClusterId, address);
    }
}
