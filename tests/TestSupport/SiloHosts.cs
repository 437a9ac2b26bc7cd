using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Runtime;
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

    private readonly IReadOnlyDictionary<string, string?> extraSettings;

    private SiloHosts(string clusterId, string serviceId, PlatformTestClock clock, IReadOnlyDictionary<string, string?>? settings)
    {
        extraSettings = settings ?? new Dictionary<string, string?>();
        ClusterId = clusterId;
        ServiceId = serviceId;
        Clock = clock;
    }

    /// <summary>The silos' calendar (see <see cref="TestCalendar"/>).</summary>
    public PlatformTestClock Clock { get; }

    public string ClusterId { get; }

    public string ServiceId { get; }

    public IReadOnlyList<IHost> Hosts => hosts;

    /// <summary>Starts <paramref name="count"/> silos of a new cluster on the database; <paramref name="settings"/> go to every silo
    /// of this cluster on top of the defaults (e.g. <c>Webhooks:*</c>).</summary>
    public static async Task<SiloHosts> StartAsync(string connectionString, int count = 2, PlatformTestClock? clock = null,
        IReadOnlyDictionary<string, string?>? settings = null)
    {
        var silos = new SiloHosts($"test-{Guid.NewGuid():N}", "orleans-licenses-test", clock ?? TestCalendar.Clock, settings);
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
            // Test silos run as Production hosts; their cluster is on loopback, so TLS is off unless a test configures it.
            ["Orleans:Tls:Disabled"] = "true",
            // Explicit, so a test run inside a Kubernetes pod still clusters on loopback.
            ["Orleans:Kubernetes:Enabled"] = "false",
        };
        foreach (var (key, value) in extraSettings)
        {
            settings[key] = value;
        }

        // Each silo's own application name, so a test can tell its database sessions from the others'.
        var database = new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = $"silo-{hosts.Count}-{Guid.NewGuid():N}" };
        settings["ConnectionStrings:Postgres"] = database.ConnectionString;
        var host = SiloSetup.BuildHost([], c => c.AddInMemoryCollection(settings), LogSink.AddTo, silo =>
        {
            TestMembership.Configure(silo);
            Clock.Register(silo);
        });
        await host.StartAsync();
        hosts.Add(host);
        return host;
    }

    /// <summary>The database session name (application_name) of a silo's connections.</summary>
    public static string ApplicationNameOf(IHost silo) =>
        new Npgsql.NpgsqlConnectionStringBuilder(silo.Services.GetRequiredService<IConfiguration>().GetConnectionString("Postgres")).ApplicationName!;

    /// <summary>
    /// Kills a silo as a crash would: its database sessions end (what it had not committed is rolled back, as when
    /// a process dies and its sockets close), it stops without a graceful shutdown (the stop is cancelled at once),
    /// and its death is recorded in the membership table as an orchestrator that saw the process exit would (test
    /// clusters never declare deaths by probes, see <see cref="TestMembership"/>).
    /// </summary>
    public async Task KillAsync(int index)
    {
        var host = hosts[index];
        hosts.RemoveAt(index);
        var connectionString = host.Services.GetRequiredService<IConfiguration>().GetConnectionString("Postgres")!;
        var address = host.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
        var sessions = ApplicationNameOf(host);
        await TerminateSessionsAsync(connectionString, sessions);
        try
        {
            await host.StopAsync(new CancellationToken(canceled: true));
        }
        catch (OperationCanceledException)
        {
        }

        host.Dispose();
        await TerminateSessionsAsync(connectionString, sessions); // any it opened while stopping
        await TestMembership.DeclareDeadAsync(connectionString, ClusterId, address);
    }

    private static async Task TerminateSessionsAsync(string connectionString, string applicationName)
    {
        var admin = new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = "test-killer", Pooling = false };
        await using var connection = new Npgsql.NpgsqlConnection(admin.ConnectionString);
        await connection.OpenAsync();
        await using var cmd = new Npgsql.NpgsqlCommand(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()", connection);
        cmd.Parameters.AddWithValue(applicationName);
        await cmd.ExecuteScalarAsync();
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
