using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using OrleansLicenses.Hosting;

namespace OrleansLicenses.Tests.Cluster;

/// <summary>
/// A throw-away cluster PKI for one test class (EC P-256, valid for a day): a CA and certificates it issues, written as
/// the files <c>Orleans:Tls</c> names into a temporary folder that is removed on dispose. Nothing is kept in the repository.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private readonly ECDsa caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public TestCertificates(string name = "OrleansLicenses test cluster CA")
    {
        Folder = Directory.CreateTempSubdirectory("ol-tls-").FullName;
        var request = new CertificateRequest($"CN={name}", caKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        Authority = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        AuthorityPath = Path.Combine(Folder, "ca.pem");
        File.WriteAllText(AuthorityPath, Authority.ExportCertificatePem());
    }

    public string Folder { get; }

    public X509Certificate2 Authority { get; }

    public string AuthorityPath { get; }

    /// <summary>A certificate of <paramref name="role"/> (its key usages) issued by this CA, with its private key.</summary>
    public X509Certificate2 Issue(string commonName, ClusterRole role) => Issue(commonName, ClusterTls.UsagesOf(role));

    /// <summary>A certificate with exactly the extended key usages <paramref name="usages"/>, issued by this CA.</summary>
    public X509Certificate2 Issue(string commonName, IReadOnlyList<string> usages)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        var oids = new OidCollection();
        foreach (var usage in usages)
        {
            oids.Add(new Oid(usage));
        }

        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(oids, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Authority, true, false));
        using var issued = request.Create(Authority, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(12), RandomNumberGenerator.GetBytes(16));
        return issued.CopyWithPrivateKey(key);
    }

    /// <summary>Writes <paramref name="certificate"/> as a PEM certificate and PKCS#8 key; returns both paths.</summary>
    public (string Certificate, string Key) WritePem(X509Certificate2 certificate, string name)
    {
        var certificatePath = Path.Combine(Folder, $"{name}.crt");
        var keyPath = Path.Combine(Folder, $"{name}.key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        using var key = certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException("no EC key");
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certificatePath, keyPath);
    }

    /// <summary>Writes <paramref name="certificate"/> with its key as a password-protected PKCS#12 file; returns its path.</summary>
    public string WritePfx(X509Certificate2 certificate, string name, string password)
    {
        var path = Path.Combine(Folder, $"{name}.pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pkcs12, password));
        return path;
    }

    public void Dispose()
    {
        Authority.Dispose();
        caKey.Dispose();
        Directory.Delete(Folder, recursive: true);
    }
}
