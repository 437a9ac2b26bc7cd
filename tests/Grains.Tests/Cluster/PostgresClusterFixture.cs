using Orleans.TestingHost;

namespace OrleansLicenses.Tests.Cluster;

/// <summary>A two-silo cluster on its own PostgreSQL database, shared by the tests of one collection.</summary>
public sealed class PostgresClusterFixture : IAsyncLifetime
{
    public string ConnectionString { get; private set; } = "";

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IClusterClient Client => Cluster.Client;

    public async Task InitializeAsync()
    {
        ConnectionString = await PlatformDatabase.CreateAsync();
        Cluster = await TestClusters.StartAsync(ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresClusterCollection : ICollectionFixture<PostgresClusterFixture>
{
    public const string Name = "postgres-cluster";
}
