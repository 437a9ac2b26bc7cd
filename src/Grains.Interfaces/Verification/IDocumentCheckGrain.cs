namespace OrleansLicenses.Verification;

/// <summary>
/// Checks a presented signed document (canonical form, SM2 signature, certificate chain to the platform root)
/// and then its current status. A stateless worker: runs on the local silo, no singleton on the path.
/// </summary>
public interface IDocumentCheckGrain : IGrainWithIntegerKey
{
    /// <summary>Integrity, signature chain and current status of a document; never throws for a bad document.</summary>
    Task<DocumentCheckResult> CheckAsync(PresentedDocument document);
}

[GenerateSerializer, Immutable, Alias("ol.PresentedDocument")]
public sealed record PresentedDocument(
    [property: Id(0)] string Canonical,
    [property: Id(1)] string Signature,
    [property: Id(2)] string Certificate);

[GenerateSerializer, Immutable, Alias("ol.DocumentCheckResult")]
public sealed record DocumentCheckResult(
    [property: Id(0)] bool Valid,
    [property: Id(1)] string? Identifier,
    [property: Id(2)] string? Status,
    [property: Id(3)] IReadOnlyList<string> Reasons,
    [property: Id(4)] bool SignatureValid);
