using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;
using OrleansLicenses.Hosting;

namespace OrleansLicenses.Tests.Cluster;

/// <summary>When a host runs with the cluster's mutual TLS, without it, or refuses to start (<see cref="ClusterTls"/>).</summary>
public sealed class ClusterTlsPolicyTests : IDisposable
{
    private readonly TestCertificates pki = new();

    public void Dispose() => pki.Dispose();

    [Theory]
    [InlineData(ClusterRole.Silo)]
    [InlineData(ClusterRole.Client)]
    public void OutsideDevelopment_WithoutTlsSettings_RefusesToStart_NamingTheSettings(ClusterRole role)
    {
        var error = Assert.Throws<InvalidOperationException>(() => ClusterTls.FromConfiguration(Config([]), isDevelopment: false, role));
        Assert.Contains("Orleans:Tls:CertificatePath", error.Message, StringComparison.Ordinal);
        Assert.Contains("Orleans:Tls:CaCertificatePath", error.Message, StringComparison.Ordinal);
        Assert.Contains("Orleans:Tls:Disabled=true", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InDevelopment_WithoutTlsSettings_RunsWithout() =>
        Assert.Null(ClusterTls.FromConfiguration(Config([]), isDevelopment: true, ClusterRole.Silo));

    [Fact]
    public void OutsideDevelopment_ExplicitlyDisabled_RunsWithout() =>
        Assert.Null(ClusterTls.FromConfiguration(Config(new() { ["Orleans:Tls:Disabled"] = "true" }), isDevelopment: false, ClusterRole.Client));

    [Fact]
    public void DisabledAndConfigured_RefusesToStart()
    {
        var settings = SiloSettings();
        settings["Orleans:Tls:Disabled"] = "true";
        var error = Assert.Throws<InvalidOperationException>(() => ClusterTls.FromConfiguration(Config(settings), isDevelopment: true, ClusterRole.Silo));
        Assert.Contains("not both", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Orleans:Tls:CertificatePath")]
    [InlineData("Orleans:Tls:CaCertificatePath")]
    public void HalfConfigured_RefusesToStart_EvenInDevelopment(string missing)
    {
        var settings = SiloSettings();
        settings.Remove(missing);
        var error = Assert.Throws<InvalidOperationException>(() => ClusterTls.FromConfiguration(Config(settings), isDevelopment: true, ClusterRole.Silo));
        Assert.Contains("incomplete", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SiloCertificateAsPem_And_ClientCertificateAsPfx_Load()
    {
        var silo = ClusterTls.FromConfiguration(Config(SiloSettings()), isDevelopment: false, ClusterRole.Silo);
        Assert.NotNull(silo);
        Assert.True(silo.Certificate.HasPrivateKey);

        var pfx = pki.WritePfx(pki.Issue("api-host", ClusterRole.Client), "api-host", "secret");
        var client = ClusterTls.FromConfiguration(Config(new()
        {
            ["Orleans:Tls:CertificatePath"] = pfx,
            ["Orleans:Tls:CertificatePassword"] = "secret",
            ["Orleans:Tls:CaCertificatePath"] = pki.AuthorityPath,
        }), isDevelopment: false, ClusterRole.Client);
        Assert.NotNull(client);
        Assert.Equal(pki.Authority.Thumbprint, client.Authority.Thumbprint);
    }

    [Fact]
    public void SiloWithAClientCertificate_RefusesToStart()
    {
        var (certificate, key) = pki.WritePem(pki.Issue("api-host", ClusterRole.Client), "client");
        var settings = new Dictionary<string, string?>
        {
            ["Orleans:Tls:CertificatePath"] = certificate,
            ["Orleans:Tls:KeyPath"] = key,
            ["Orleans:Tls:CaCertificatePath"] = pki.AuthorityPath,
        };
        var error = Assert.Throws<InvalidOperationException>(() => ClusterTls.FromConfiguration(Config(settings), isDevelopment: false, ClusterRole.Silo));
        Assert.Contains("not a valid silo certificate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CertificateOfAnotherCa_RefusesToStart()
    {
        using var stranger = new TestCertificates();
        var (certificate, key) = stranger.WritePem(stranger.Issue("silo", ClusterRole.Silo), "silo");
        var settings = new Dictionary<string, string?>
        {
            ["Orleans:Tls:CertificatePath"] = certificate,
            ["Orleans:Tls:KeyPath"] = key,
            ["Orleans:Tls:CaCertificatePath"] = pki.AuthorityPath,
        };
        Assert.Throws<InvalidOperationException>(() => ClusterTls.FromConfiguration(Config(settings), isDevelopment: false, ClusterRole.Silo));
    }

    [Fact]
    public void ALeafCertificateAsTheCa_RefusesToStart()
    {
        var (leaf, _) = pki.WritePem(pki.Issue("silo", ClusterRole.Silo), "leaf");
        var settings = SiloSettings();
        settings["Orleans:Tls:CaCertificatePath"] = leaf;
        var error = Assert.Throws<InvalidOperationException>(() => ClusterTls.FromConfiguration(Config(settings), isDevelopment: false, ClusterRole.Silo));
        Assert.Contains("not a CA certificate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void IsTrustedPeer_TakesOnlyCertificatesOfTheClusterCa_WithTheUsagesAsked()
    {
        var credentials = ClusterTls.FromConfiguration(Config(SiloSettings()), isDevelopment: false, ClusterRole.Silo)!;
        using var silo = pki.Issue("silo-2", ClusterRole.Silo);
        using var client = pki.Issue("api-host", ClusterRole.Client);
        using var noUsage = pki.Issue("no-usage", []);
        using var sameName = new TestCertificates(); // same CA subject, another key
        using var impostor = sameName.Issue("silo-2", ClusterRole.Silo);

        Assert.True(credentials.IsTrustedPeer(silo, null, ClusterTls.UsagesOf(ClusterRole.Silo)));
        Assert.True(credentials.IsTrustedPeer(client, null, ClusterTls.UsagesOf(ClusterRole.Client)));
        Assert.False(credentials.IsTrustedPeer(client, null, ClusterTls.UsagesOf(ClusterRole.Silo)));
        Assert.False(credentials.IsTrustedPeer(noUsage, null, ClusterTls.UsagesOf(ClusterRole.Client)));
        Assert.False(credentials.IsTrustedPeer(impostor, null, ClusterTls.UsagesOf(ClusterRole.Silo)));
        Assert.False(credentials.IsTrustedPeer(X509CertificateLoader.LoadCertificate(pki.Authority.RawData), null, ClusterTls.UsagesOf(ClusterRole.Client)));
    }

    private Dictionary<string, string?> SiloSettings()
    {
        var (certificate, key) = pki.WritePem(pki.Issue("silo", ClusterRole.Silo), $"silo-{Guid.NewGuid():N}");
        return new()
        {
            ["Orleans:Tls:CertificatePath"] = certificate,
            ["Orleans:Tls:KeyPath"] = key,
            ["Orleans:Tls:CaCertificatePath"] = pki.AuthorityPath,
        };
    }

    private static IConfiguration Config(Dictionary<string, string?> settings) => new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
}
