using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OrleansLicenses.Hosting;

/// <summary>This process's certificate (with its private key) and the cluster CA its peers' certificates must chain to.</summary>
public sealed class ClusterCredentials(X509Certificate2 certificate, X509Certificate2 authority)
{
    public X509Certificate2 Certificate { get; } = certificate;

    public X509Certificate2 Authority { get; } = authority;

    /// <summary>
    /// Whether <paramref name="peer"/> chains to the cluster CA (and only to it), is valid now, and carries every usage in
    /// <paramref name="usages"/> explicitly (a certificate without the extension is not taken as good for everything).
    /// Intermediates the peer sent (<paramref name="presented"/>'s extra store) may complete the chain; the operating
    /// system's trust store plays no part, so the TLS stack's own verdict is not consulted.
    /// </summary>
    public bool IsTrustedPeer(X509Certificate2 peer, X509Chain? presented, IReadOnlyList<string> usages)
    {
        ArgumentNullException.ThrowIfNull(peer);
        ArgumentNullException.ThrowIfNull(usages);
        var declared = peer.Extensions.OfType<X509EnhancedKeyUsageExtension>().SelectMany(e => e.EnhancedKeyUsages.Cast<Oid>()).Select(o => o.Value).ToHashSet();
        if (!usages.All(declared.Contains))
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        foreach (var usage in usages)
        {
            chain.ChainPolicy.ApplicationPolicy.Add(new Oid(usage));
        }

        if (presented is not null)
        {
            chain.ChainPolicy.ExtraStore.AddRange(presented.ChainPolicy.ExtraStore);
        }

        try
        {
            // The root must be the configured CA itself, not merely a certificate of the same name.
            return chain.Build(peer) && chain.ChainElements[^1].Certificate.RawDataMemory.Span.SequenceEqual(Authority.RawDataMemory.Span);
        }
        finally
        {
            foreach (var element in chain.ChainElements)
            {
                if (!ReferenceEquals(element.Certificate, peer) && !ReferenceEquals(element.Certificate, Authority))
                {
                    element.Certificate.Dispose();
                }
            }
        }
    }
}
