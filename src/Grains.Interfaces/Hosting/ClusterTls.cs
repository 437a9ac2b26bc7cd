using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;

namespace OrleansLicenses.Hosting;

/// <summary>Which end of the cluster's connections a process is, and so which key usages its certificate needs.</summary>
public enum ClusterRole
{
    /// <summary>A silo: it accepts connections (server authentication) and opens them to other silos (client authentication).</summary>
    Silo,

    /// <summary>An Orleans client such as the API host: it only opens connections to gateways (client authentication).</summary>
    Client,
}

/// <summary>
/// The cluster's mutual TLS (<c>Orleans:Tls</c>), shared by the silos and the API host. Every connection between silos
/// and from a client to a gateway is TLS, and both ends present a certificate issued by the <em>cluster CA</em>
/// (<c>Orleans:Tls:CaCertificatePath</c>, a CA dedicated to this cluster): the peer's chain is built against that CA
/// alone (<see cref="X509ChainTrustMode.CustomRootTrust"/>, never the operating system's store). Host names are not
/// checked — silos dial each other at the addresses in the membership table — so the identity is "issued by the
/// cluster CA, for this role": a silo's certificate carries both server and client authentication, a client's only
/// client authentication, and a silo accepts only silo certificates on its silo port.
/// <para>
/// Policy: outside Development a host refuses to start without this configuration unless <c>Orleans:Tls:Disabled=true</c>
/// says that the network itself authenticates peers (a private network with its own access control); Development and
/// the tests may run without. Revocation is not checked (no CRL infrastructure): to withdraw a certificate, re-key the
/// cluster CA.
/// </para>
/// </summary>
public static class ClusterTls
{
    public const string Section = "Orleans:Tls";

    /// <summary>Extended key usage "TLS Web Server Authentication".</summary>
    public const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";

    /// <summary>Extended key usage "TLS Web Client Authentication".</summary>
    public const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    private const string Settings = "Orleans:Tls:CertificatePath (PFX, or PEM with Orleans:Tls:KeyPath) and Orleans:Tls:CaCertificatePath (the cluster CA)";

    /// <summary>The key usages a certificate of <paramref name="role"/> must carry.</summary>
    public static IReadOnlyList<string> UsagesOf(ClusterRole role) =>
        role == ClusterRole.Silo ? [ServerAuthentication, ClientAuthentication] : [ClientAuthentication];

    /// <summary>
    /// This process's cluster credentials from <c>Orleans:Tls</c>, or null when TLS is off by policy (disabled explicitly,
    /// or not configured in Development). Throws, naming the settings, when the configuration is missing outside
    /// Development, incomplete, contradictory, or the certificate does not fit <paramref name="role"/> under the CA.
    /// </summary>
    public static ClusterCredentials? FromConfiguration(IConfiguration configuration, bool isDevelopment, ClusterRole role)
    {
        var section = configuration.GetSection(Section);
        var certificatePath = NullIfBlank(section["CertificatePath"]);
        var caPath = NullIfBlank(section["CaCertificatePath"]);
        var disabledText = NullIfBlank(section["Disabled"]);
        var disabled = false;
        if (disabledText is not null && !bool.TryParse(disabledText, out disabled))
        {
            throw new InvalidOperationException($"Orleans:Tls:Disabled must be true or false, not '{disabledText}'.");
        }

        if (disabled)
        {
            if (certificatePath is not null || caPath is not null)
            {
                throw new InvalidOperationException("Orleans:Tls:Disabled=true and Orleans:Tls:CertificatePath/CaCertificatePath are both set; configure TLS or disable it, not both.");
            }

            return null;
        }

        if (certificatePath is null && caPath is null)
        {
            return isDevelopment
                ? null
                : throw new InvalidOperationException(
                    $"The Orleans cluster accepts only authenticated peers outside Development: set {Settings}, " +
                    "or Orleans:Tls:Disabled=true only behind a private network that authenticates peers itself.");
        }

        if (certificatePath is null || caPath is null)
        {
            throw new InvalidOperationException($"Orleans:Tls is incomplete: set both {Settings}.");
        }

        var authority = LoadAuthority(caPath);
        var certificate = LoadCertificate(certificatePath, NullIfBlank(section["KeyPath"]), NullIfBlank(section["CertificatePassword"]));
        var credentials = new ClusterCredentials(certificate, authority);
        if (!credentials.IsTrustedPeer(certificate, null, UsagesOf(role)))
        {
            throw new InvalidOperationException(
                $"Orleans:Tls:CertificatePath '{certificatePath}' is not a valid {role.ToString().ToLowerInvariant()} certificate under the cluster CA '{caPath}' " +
                $"(it must chain to that CA, be within its validity period and carry the extended key usages {string.Join(", ", UsagesOf(role))}).");
        }

        return credentials;
    }

    private static X509Certificate2 LoadAuthority(string path)
    {
        var authority = Load(path, "Orleans:Tls:CaCertificatePath", X509CertificateLoader.LoadCertificateFromFile);
        if (authority.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is not { CertificateAuthority: true })
        {
            throw new InvalidOperationException($"Orleans:Tls:CaCertificatePath '{path}' is not a CA certificate (basic constraints CA:TRUE).");
        }

        return authority;
    }

    private static X509Certificate2 LoadCertificate(string path, string? keyPath, string? password)
    {
        var pkcs12 = path.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".p12", StringComparison.OrdinalIgnoreCase);
        var certificate = Load(path, "Orleans:Tls:CertificatePath", p => pkcs12
            ? X509CertificateLoader.LoadPkcs12FromFile(p, password)
            : PemWithKey(p, keyPath ?? p, password));
        if (!certificate.HasPrivateKey)
        {
            throw new InvalidOperationException($"Orleans:Tls:CertificatePath '{path}' has no private key (PEM: set Orleans:Tls:KeyPath).");
        }

        return certificate;
    }

    // A PEM pair is re-imported as PKCS#12: SslStream on Windows cannot use an ephemeral PEM key; elsewhere it costs nothing.
    private static X509Certificate2 PemWithKey(string certificatePath, string keyPath, string? password)
    {
        using var pem = password is null
            ? X509Certificate2.CreateFromPemFile(certificatePath, keyPath)
            : X509Certificate2.CreateFromEncryptedPemFile(certificatePath, password, keyPath);
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }

    private static X509Certificate2 Load(string path, string setting, Func<string, X509Certificate2> load)
    {
        try
        {
            return load(path);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new InvalidOperationException($"{setting} '{path}' cannot be read: {e.Message}", e);
        }
    }

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
