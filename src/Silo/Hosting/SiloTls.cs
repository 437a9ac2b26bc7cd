using Microsoft.Extensions.Configuration;
using Orleans.Configuration;
using Orleans.Connections.Security;
using OrleansLicenses.Hosting;

namespace OrleansLicenses.Silo.Hosting;

/// <summary>
/// Mutual TLS on every connection of a silo (see <see cref="ClusterTls"/> for the policy): its silo port admits only
/// other silos, its gateway port only clients, both with a certificate from the cluster CA; the silo presents its own
/// certificate on every connection it accepts or opens and checks the other silo's when it dials one.
/// </summary>
public static class SiloTls
{
    /// <summary>Turns TLS on from <c>Orleans:Tls</c>; without it only in Development or with <c>Orleans:Tls:Disabled=true</c>.</summary>
    public static ISiloBuilder UseClusterTls(this ISiloBuilder silo, IConfiguration configuration, bool isDevelopment)
    {
        if (ClusterTls.FromConfiguration(configuration, isDevelopment, ClusterRole.Silo) is not { } credentials)
        {
            return silo;
        }

        var silos = ClusterTls.UsagesOf(ClusterRole.Silo);
        var clients = ClusterTls.UsagesOf(ClusterRole.Client);
        var fromSilos = Options(credentials, silos);
        var fromClients = Options(credentials, clients);
        var toSilos = Options(credentials, silos);
        silo.Configure<SiloConnectionOptions>(o =>
        {
            o.ConfigureSiloInboundConnection(c => c.UseServerTls(fromSilos));
            o.ConfigureGatewayInboundConnection(c => c.UseServerTls(fromClients));
            o.ConfigureSiloOutboundConnection(c => c.UseClientTls(toSilos));
        });
        return silo;
    }

    /// <summary>Both ends present a certificate; the peer's must satisfy <see cref="ClusterCredentials.IsTrustedPeer"/> for <paramref name="peerUsages"/>.</summary>
    internal static TlsOptions Options(ClusterCredentials credentials, IReadOnlyList<string> peerUsages) => new()
    {
        LocalCertificate = credentials.Certificate,
        RemoteCertificateMode = RemoteCertificateMode.RequireCertificate,
        ClientCertificateMode = RemoteCertificateMode.RequireCertificate,
        // Replaces the TLS stack's verdict (which trusts the OS store and wants a host name) with the cluster CA's.
        RemoteCertificateValidation = (certificate, chain, _) => credentials.IsTrustedPeer(certificate, chain, peerUsages),
        CheckCertificateRevocation = false,
    };
}
