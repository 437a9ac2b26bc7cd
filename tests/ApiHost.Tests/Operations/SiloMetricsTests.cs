using System.Globalization;

namespace OrleansLicenses.Tests.Operations;

/// <summary>A silo with <c>Metrics:Port</c> serves Orleans', Npgsql's and the runtime's metrics in Prometheus format.</summary>
public sealed class SiloMetricsTests : IAsyncLifetime
{
    private readonly int port = Ports.Free();

    private SiloHosts silos = null!;

    public async Task InitializeAsync()
    {
        var connectionString = await PlatformDatabase.CreateAsync(await PostgresServer.Shared);
        silos = await SiloHosts.StartAsync(connectionString, count: 1, settings: new Dictionary<string, string?>
        {
            ["Metrics:Port"] = port.ToString(CultureInfo.InvariantCulture),
        });
    }

    public async Task DisposeAsync() => await silos.DisposeAsync();

    [Fact]
    public async Task TheManagementListener_ServesTheSilosMeters()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/metrics"));
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.IsSuccessStatusCode, text);
        Assert.Contains("service_name=\"orleans-licenses-silo\"", text, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^orleans_\w+", text);          // the Orleans runtime (membership, catalogue, messaging)
        Assert.Matches(@"(?m)^db_client_connection_\w+", text); // Npgsql's pool: the silo's grain storage and journal
        Assert.Matches(@"(?m)^dotnet_\w+", text);           // the .NET runtime (GC, thread pool)
    }
}
