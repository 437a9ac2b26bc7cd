using Orleans.Connections.Security;
using OrleansLicenses.Hosting;

namespace OrleansLicenses.ApiHost.Infrastructure;

/// <summary>
/// The API host's side of the cluster's mutual TLS (see <see cref="ClusterTls"/> for the policy): it presents its client
/// certificate to the gateways and talks only to a gateway whose certificate is a silo certificate from the cluster CA.
/// </summary>
public static class ClusterClientTls
{
    /// <summary>Turns TLS on from <c>Orleans:Tls</c>; without it only in Development or with <c>Orleans:Tls:Disabled=true</c>.</summary>
    public static IClientBuilder UseClusterTls(this IClientBuilder client, IConfiguration configuration, bool isDevelopment)
    {
        if (ClusterTls.FromConfiguration(configuration, isDevelopment, ClusterRole.Client) is not { } credentials)
        {
            return client;
        }

        var silos = ClusterTls.UsagesOf(ClusterRole.Silo);
        return client.UseTls(credentials.Certificate, o =>
        {
            o.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
            o.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
            // Replaces the TLS stack's verdict (which trusts the OS store and wants a host name) with the cluster CA's.
            o.RemoteCertificateValidation = (certificate, chain, _) => credentials.IsTrustedPeer(certificate, chain, silos);
        });
    }
}
