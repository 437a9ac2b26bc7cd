using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Connections.Security;
using OrleansLicenses.ApiHost.Infrastructure;
using OrleansLicenses.Hosting;
using OrleansLicenses.Operations;

namespace OrleansLicenses.Tests.Cluster;

/// <summary>
/// Two real TCP silos with mutual TLS under a throw-away cluster CA (<see cref="TestCertificates"/>): an Orleans client
/// with a certificate from that CA — configured exactly as the API host configures itself — calls a grain, and the
/// silos talk to each other over TLS; a client without a certificate, without TLS, or with a certificate of another CA
/// gets no answer.
/// </summary>
public sealed class ClusterTlsTests : IAsyncLifetime
{
    // Long enough for a loaded 2-core machine to connect, short enough that a hang fails the test quickly.
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private readonly TestCertificates pki = new();

    private string connectionString = "";

    private SiloHosts silos = null!;

    public async Task InitializeAsync()
    {
        connectionString = await PlatformDatabase.CreateAsync(await PostgresServer.Shared);
        var (certificate, key) = pki.WritePem(pki.Issue("silo", ClusterRole.Silo), "silo");
        silos = await SiloHosts.StartAsync(connectionString, count: 2, settings: new Dictionary<string, string?>
        {
            ["Orleans:Tls:Disabled"] = "false",
            ["Orleans:Tls:CertificatePath"] = certificate,
            ["Orleans:Tls:KeyPath"] = key,
            ["Orleans:Tls:CaCertificatePath"] = pki.AuthorityPath,
        });
    }

    public async Task DisposeAsync()
    {
        await silos.DisposeAsync();
        pki.Dispose();
    }

    [Fact]
    public async Task ClientWithClusterCertificate_CallsAGrain_AndTheSilosTalkOverTls()
    {
        var pfx = pki.WritePfx(pki.Issue("api-host", ClusterRole.Client), "api-host", "pfx-password");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Orleans:Tls:CertificatePath"] = pfx,
            ["Orleans:Tls:CertificatePassword"] = "pfx-password",
            ["Orleans:Tls:CaCertificatePath"] = pki.AuthorityPath,
        }).Build();

        using var client = await StartClientAsync(c => c.UseClusterTls(configuration, isDevelopment: false)).WaitAsync(Bound);
        var factory = client.Services.GetRequiredService<IClusterClient>();

        Assert.False(string.IsNullOrEmpty(await factory.GetGrain<IPingGrain>(0).PingAsync().WaitAsync(Bound)));
        // The management grain asks every silo for its statistics: silo-to-silo calls, over TLS, both ways answered.
        var management = factory.GetGrain<IManagementGrain>(0);
        var hosts = await management.GetHosts(onlyActive: true).WaitAsync(Bound);
        Assert.Equal(2, hosts.Count);
        Assert.Equal(2, (await management.GetRuntimeStatistics([.. hosts.Keys]).WaitAsync(Bound)).Length);
        await client.StopAsync();
    }

    [Fact]
    public async Task ClientWithoutCertificate_GetsNoAnswer() =>
        await AssertRefusedAsync(c => c.UseTls(o =>
        {
            o.ClientCertificateMode = RemoteCertificateMode.NoCertificate;
            o.AllowAnyRemoteCertificate(); // the client would talk to anyone: only the silo's refusal can stop it
        }));

    [Fact]
    public async Task ClientWithoutTls_GetsNoAnswer() => await AssertRefusedAsync(_ => { });

    [Fact]
    public async Task ClientWithCertificateOfAnotherCa_GetsNoAnswer()
    {
        // Same subject as the cluster CA, so only the key and signature tell them apart.
        using var stranger = new TestCertificates(name: "OrleansLicenses test cluster CA");
        var certificate = stranger.Issue("api-host", ClusterRole.Client);
        await AssertRefusedAsync(c => c.UseTls(certificate, o =>
        {
            o.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
            o.AllowAnyRemoteCertificate();
        }));
    }

    [Fact]
    public async Task ClientWithSelfSignedCertificate_GetsNoAnswer()
    {
        using var key = System.Security.Cryptography.ECDsa.Create();
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=api-host", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509EnhancedKeyUsageExtension(
            [new System.Security.Cryptography.Oid(ClusterTls.ClientAuthentication)], false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(1));
        await AssertRefusedAsync(c => c.UseTls(certificate, o =>
        {
            o.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
            o.AllowAnyRemoteCertificate();
        }));
    }

    [Fact]
    public async Task SiloPort_AdmitsSiloCertificates_AndRefusesAClientCertificateOfTheClusterCa()
    {
        var endpoint = silos.Hosts[0].Services.GetRequiredService<ILocalSiloDetails>().SiloAddress.Endpoint;
        using var silo = pki.Issue("another-silo", ClusterRole.Silo);
        using var apiHost = pki.Issue("api-host", ClusterRole.Client);

        Assert.True(await StaysOpenAsync(endpoint, silo));
        Assert.False(await StaysOpenAsync(endpoint, apiHost)); // an API host cannot pose as a silo
    }

    /// <summary>
    /// Whether the silo keeps a TLS connection with <paramref name="certificate"/> open: the silo waits for a silo's
    /// preamble from a peer it admitted, and closes at once on one it refused (TLS 1.3 refuses a client after its handshake).
    /// </summary>
    private static async Task<bool> StaysOpenAsync(System.Net.IPEndPoint endpoint, System.Security.Cryptography.X509Certificates.X509Certificate2 certificate)
    {
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(endpoint).WaitAsync(Bound);
        await using var tls = new System.Net.Security.SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        try
        {
            await tls.AuthenticateAsClientAsync(new System.Net.Security.SslClientAuthenticationOptions
            {
                TargetHost = "silo",
                ClientCertificates = [certificate],
                ApplicationProtocols = [new System.Net.Security.SslApplicationProtocol("Orleans1")],
            }).WaitAsync(Bound);
            using var quiet = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            return await tls.ReadAsync(new byte[1], quiet.Token) > 0;
        }
        catch (OperationCanceledException)
        {
            return true; // nothing to read, and not closed
        }
        catch (Exception e) when (e is System.IO.IOException or System.Security.Authentication.AuthenticationException)
        {
            return false;
        }
    }

    /// <summary>The client either cannot start or its call fails; it never gets the grain's answer, and fails within <see cref="Bound"/>.</summary>
    private async Task AssertRefusedAsync(Action<IClientBuilder> tls)
    {
        IHost? client = null;
        var error = await Record.ExceptionAsync(async () =>
        {
            client = await StartClientAsync(tls);
            await client.Services.GetRequiredService<IClusterClient>().GetGrain<IPingGrain>(0).PingAsync();
        }).WaitAsync(Bound);
        Assert.NotNull(error);
        Assert.IsNotType<TimeoutException>(error);
        client?.Dispose();
    }

    private async Task<IHost> StartClientAsync(Action<IClientBuilder> tls)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o =>
            {
                o.ServiceId = silos.ServiceId;
                o.ClusterId = silos.ClusterId;
            });
            client.UseAdoNetClustering(o =>
            {
                o.Invariant = "Npgsql";
                o.ConnectionString = connectionString;
            });
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(5));
            client.UseConnectionRetryFilter((_, _) => Task.FromResult(false)); // one attempt: refused is refused
            tls(client);
        });
        var host = builder.Build();
        try
        {
            await host.StartAsync();
            return host;
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }
}
