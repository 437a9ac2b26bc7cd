using OrleansLicenses.Hosting;
using System.Text;
using System.Text.Json;
using Orleans.Concurrency;
using OrleansLicenses.Identifiers;
using OrleansLicenses.Signing;
using OrleansLicenses.Units;
using OrleansLicenses.Verification;

namespace OrleansLicenses.Licenses;

/// <summary>Offline-document check: everything from the document itself first, then one call for the current status.</summary>
[StatelessWorker]
public sealed class DocumentCheckGrain(Sync.TrustedRoots trustedRoots, TimeProvider time) : Grain, IDocumentCheckGrain
{
    private byte[]? root;

    async Task<DocumentCheckResult> IDocumentCheckGrain.CheckAsync(PresentedDocument document)
    {
        byte[] canonical, signature, certificate;
        try
        {
            canonical = Encoding.UTF8.GetBytes(document.Canonical);
            signature = Convert.FromBase64String(document.Signature);
            certificate = Convert.FromBase64String(document.Certificate);
        }
        catch (FormatException)
        {
            return Invalid(null, "malformed");
        }

        string? identifier;
        DateTimeOffset signedAt;
        try
        {
            if (!JsonCanonicalizer.Canonicalize(canonical).AsSpan().SequenceEqual(canonical))
            {
                return Invalid(null, "not-canonical");
            }

            using var json = JsonDocument.Parse(canonical);
            identifier = json.RootElement.TryGetProperty("identifier", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
            if (!json.RootElement.TryGetProperty("signedAt", out var at) || !at.TryGetDateTimeOffset(out signedAt) || signedAt > time.GetUtcNow().AddMinutes(5))
            {
                return Invalid(identifier, "malformed");
            }
        }
        catch (JsonException)
        {
            return Invalid(null, "malformed");
        }

        // Leniently: a digitized paper licence keeps its own identifier, a wrong check character included; the
        // licence's stored canonical form (which contains the identifier) decides whether the document is genuine.
        if (!LicenseIdentifier.TryParseLenient(identifier, out var parsed, out _))
        {
            return Invalid(identifier, "malformed");
        }

        root ??= await GrainFactory.GetGrain<ICertificateAuthorityGrain>("root").GetRootCertificateAsync();
        // The chain is checked at the signing time: a licence signed while the unit's certificate was valid stays
        // verifiable for its whole (possibly long-term) validity, after the certificate expired or was rotated.
        // A licence aggregated from a lower library verifies against that library's root (Sync:TrustedRoots); the
        // status check below then requires this library to hold exactly that document.
        var chain = CertificateAuthority.VerifyChain(certificate, root, signedAt);
        if (chain != CertificateChainStatus.Valid && trustedRoots.FindRoot(certificate, signedAt) is null)
        {
            return Invalid(identifier, "certificate-untrusted");
        }

        UnitCertificateInfo signer;
        try
        {
            signer = UnitCertificateInfo.Parse(certificate);
        }
        catch (ArgumentException)
        {
            return Invalid(identifier, "signature-invalid");
        }

        if (signer.UnitCreditCode != parsed.IssuerCode || !Sm2Signer.Verify(signer.PublicKey, canonical, signature))
        {
            return Invalid(identifier, "signature-invalid");
        }

        var status = await GrainFactory.Get<ILicenseGrain>(parsed.Number).GetDocumentStatusAsync(parsed.Version);
        if (!status.Exists || status.Canonical != document.Canonical)
        {
            // Signed by a unit key but not a document this library holds: refuse rather than vouch for it.
            return new DocumentCheckResult(false, identifier, status.Exists ? status.Status : null, ["unknown-document"], true);
        }

        return new DocumentCheckResult(status.Reasons.Count == 0, identifier, status.Status, status.Reasons, true);
    }

    private static DocumentCheckResult Invalid(string? identifier, string reason) => new(false, identifier, null, [reason], false);
}
