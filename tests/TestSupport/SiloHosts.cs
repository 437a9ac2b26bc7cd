using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using OrleansLicenses.Silo.Hosting;

namespace OrleansLicenses.Tests;

/// <summary>
/// Real silo hosts (TCP, the production <see cref="SiloSetup"/>) started inside the test process, for tests
/// whose client is a separate host such as the API. The in-process test cluster uses an in-memory transport
/// that only its own client can reach.
/// </summary>
public sealed class SiloHosts : IAsyncDisposable
{
    private readonly List<IHost> hosts = [];

    private SiloHosts(string clusterId, string serviceId)
    {
        ClusterId = clusterId;
        ServiceId = serviceId;
    }

    public string ClusterId { get; }

    public string ServiceId { get; }

    public IReadOnlyList<IHost> Hosts => hosts;

    public static async Task<SiloHosts> StartAsync(string connectionString, int count = 2)
    {
        var silos = new SiloHosts($"test-{Guid.NewGuid():N}", "orleans-licenses-test");
        for (var i = 0; i < count; i++)
        {
            await silos.AddSiloAsync(connectionString);
        }

        return silos;
    }

    public async Task<IHost> AddSiloAsync(string connectionString)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = connectionString,
            ["Orleans:ClusterId"] = ClusterId,
            ["Orleans:ServiceId"] = ServiceId,
            ["Orleans:SiloPort"] = Ports.Free().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Orleans:GatewayPort"] = Ports.Free().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Signing:KeyEncryptionKey"] = TestSecrets.KeyEncryptionKey,
            ["Logging:LogLevel:Default"] = "Information",
        };
        var host = SiloSetup.BuildHost([], c => c.AddInMemoryCollection(settings), LogSink.AddTo);
        await host.StartAsync();
        hosts.Add(host);
        return host;
    }

    /// <summary>Stops a silo without a graceful shutdown (the stop is cancelled at once), as a crash would.</summary>
    public async Task KillAsync(int index)
    {
        var host = hosts[index];
        hosts.RemoveAt(index);
        try
        {
            await host.StopAsync(new CancellationToken(canceled: true));
        }
        catch (OperationCanceledException)
        {
        }

        host.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in Enumerable.Reverse(hosts))
        {
            await host.StopAsync();
            host.Dispose();
        }

        hosts.Clear();
    }

}
