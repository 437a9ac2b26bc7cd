using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto.Parameters;

namespace OrleansLicenses.Signing;

/// <summary>
/// The fields of a unit signing certificate that the application needs: unit name, credit code,
/// serial number, validity and public key. Read with <see cref="Parse"/>; this does not verify anything
/// (use <see cref="CertificateAuthority.VerifyChain"/> for that).
/// </summary>
public sealed record UnitCertificateInfo(
    string UnitName,
    string UnitCreditCode,
    string SerialNumberHex,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    ECPublicKeyParameters PublicKey)
{
    /// <summary>Reads a unit certificate issued by <see cref="CertificateAuthority.IssueUnitCertificate(ECPublicKeyParameters, string, string, DateTimeOffset, TimeSpan?)"/>.</summary>
    /// <exception cref="ArgumentException">Not a DER certificate, no CN or serialNumber attribute, or not an SM2 key.</exception>
    public static UnitCertificateInfo Parse(ReadOnlySpan<byte> certificateDer)
    {
        var certificate = CertificateAuthority.ParseCertificate(certificateDer.ToArray())
            ?? throw new ArgumentException("The data is not a valid DER X.509 certificate.", nameof(certificateDer));

        string? name = certificate.SubjectDN.GetValueList(X509Name.CN).FirstOrDefault();
        string? code = certificate.SubjectDN.GetValueList(X509Name.SerialNumber).FirstOrDefault();
        if (string.IsNullOrEmpty(name) || string.IsNullOrEmpty(code))
        {
            throw new ArgumentException("The certificate subject has no CN or serialNumber (unit credit code).", nameof(certificateDer));
        }

        ECPublicKeyParameters key = Sm2Keys.ToSm2PublicKey(certificate.GetPublicKey(), nameof(certificateDer));
        return new UnitCertificateInfo(
            name,
            code,
            Convert.ToHexStringLower(certificate.SerialNumber.ToByteArrayUnsigned()),
            new DateTimeOffset(CertificateAuthority.AsUtc(certificate.NotBefore)),
            new DateTimeOffset(CertificateAuthority.AsUtc(certificate.NotAfter)),
            key);
    }
}
