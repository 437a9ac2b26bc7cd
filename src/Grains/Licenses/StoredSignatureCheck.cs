using System.Security.Cryptography;
using System.Text;
using OrleansLicenses.Signing;

namespace OrleansLicenses.Licenses;

/// <summary>
/// The checks one stored licence version must pass, with no grain and no network: the same rules as the offline
/// document check (<see cref="DocumentCheckGrain"/>) applied to what PostgreSQL holds — canonical form, a chain to
/// the root at the signing time, a certificate of the issuing unit that the platform published, and the SM2 signature —
/// plus one a presented document cannot have: the stored face data still produce the signed text.
/// </summary>
public static class StoredSignatureCheck
{
    /// <summary>The first check <paramref name="version"/> fails (a reason code), or null when it verifies.</summary>
    /// <param name="license">The licence the version belongs to.</param>
    /// <param name="version">One signed version of it.</param>
    /// <param name="root">The platform root certificate (DER).</param>
    /// <param name="published">SHA-256 (hex) of every certificate in <c>published_certificates</c>, with its unit code.</param>
    public static string? FirstFailure(LicenseState license, LicenseVersionState version, byte[] root, IReadOnlyDictionary<string, string?> published)
    {
        ArgumentNullException.ThrowIfNull(license);
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(published);
        var canonical = Encoding.UTF8.GetBytes(version.Canonical);
        try
        {
            if (!JsonCanonicalizer.Canonicalize(canonical).AsSpan().SequenceEqual(canonical))
            {
                return "not-canonical";
            }
        }
        catch (System.Text.Json.JsonException)
        {
            return "not-canonical";
        }

        if (LicenseDocument.Canonicalize(license, version) != version.Canonical)
        {
            return "state-mismatch"; // the face data kept with the version are not what was signed
        }

        var chain = CertificateAuthority.VerifyChain(version.Certificate, root, version.SignedAt);
        if (chain != CertificateChainStatus.Valid)
        {
            return $"certificate-untrusted:{chain}";
        }

        if (!published.TryGetValue(Fingerprint(version.Certificate), out var unit) || unit != license.IssuerCode)
        {
            return "certificate-unpublished";
        }

        UnitCertificateInfo signer;
        try
        {
            signer = UnitCertificateInfo.Parse(version.Certificate);
        }
        catch (ArgumentException)
        {
            return "signature-invalid";
        }

        return signer.UnitCreditCode == license.IssuerCode && Sm2Signer.Verify(signer.PublicKey, canonical, version.Signature)
            ? null
            : "signature-invalid";
    }

    /// <summary>Lower-case hex SHA-256 of a certificate's DER bytes.</summary>
    public static string Fingerprint(byte[] der) => Convert.ToHexStringLower(SHA256.HashData(der));
}
