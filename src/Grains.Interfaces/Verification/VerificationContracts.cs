namespace OrleansLicenses.Verification;

/// <summary>How a verifier came to be allowed to see the licence.</summary>
public static class VerificationBasis
{
    /// <summary>The holder presented it (亮证码).</summary>
    public const string Presentation = "presentation";

    /// <summary>The holder granted the verifier's unit or matter an authorization.</summary>
    public const string Authorization = "authorization";

    /// <summary>The verifier's business scope covers the licence type for the matter, and the holder is identified.</summary>
    public const string Scope = "scope";
}

/// <summary>
/// What the API host asks the licence grain after it has checked the request's shape (and a presentation token's seal).
/// <see cref="Audit"/> is the request's audit record as the API host knows it (actor, address, purpose); the grain
/// completes it with the outcome and commits it with the use record, in one transaction, before it answers.
/// </summary>
[GenerateSerializer, Immutable, Alias("ol.VerifyLicense")]
public sealed record VerifyLicense(
    [property: Id(0)] string? Version,
    [property: Id(1)] string Basis,
    [property: Id(2)] string MatterCode,
    [property: Id(3)] string Purpose,
    [property: Id(4)] string? AuthorizationId,
    [property: Id(5)] string? PresentedHolderKey,
    [property: Id(6)] string? IdentifiedHolderKey,
    [property: Id(7)] IReadOnlyDictionary<string, string>? Compare,
    [property: Id(8)] Audit.AuditEntry? Audit = null,
    [property: Id(9)] string? CaseNumber = null,
    [property: Id(10)] string? OperatorName = null,
    [property: Id(11)] PresentedToken? Presentation = null);

/// <summary>
/// The presentation token a verification came with (basis <see cref="VerificationBasis.Presentation"/>), as its seal
/// says: its random id, how many uses the holder allowed (1 by default, at most 5), and its lifetime. The licence grain
/// spends one use per accepted verification and binds the token to the first unit that used it (issue 13).
/// </summary>
[GenerateSerializer, Immutable, Alias("ol.PresentedToken")]
public sealed record PresentedToken(
    [property: Id(0)] string Id,
    [property: Id(1)] int MaxUses,
    [property: Id(2)] DateTimeOffset IssuedAt,
    [property: Id(3)] DateTimeOffset ExpiresAt)
{
    public const int MaxAllowedUses = 5;

    /// <summary>Why a verification on an already spent or relayed token is not valid.</summary>
    public const string UsedReason = "presentation_used";
}

/// <summary>The answer: validity, reasons, the minimum necessary fields, the comparison, and what the archive needs.</summary>
[GenerateSerializer, Immutable, Alias("ol.VerificationOutcome")]
public sealed record VerificationOutcome(
    [property: Id(0)] bool Valid,
    [property: Id(1)] string Status,
    [property: Id(2)] string StatusCode,
    [property: Id(3)] IReadOnlyList<string> Reasons,
    [property: Id(4)] VerifiedLicense License,
    [property: Id(5)] IReadOnlyDictionary<string, string>? Comparison,
    [property: Id(6)] string HolderKey,
    [property: Id(7)] string DocumentHash,
    [property: Id(8)] string VerificationId = "");

/// <summary>
/// The licence as a verifier may see it: identifiers, status, dates and only the fields its scope allows. In a
/// compare-only answer (the request had <c>compare</c>) <see cref="Fields"/> is empty and the holder's name and id
/// number are null: the comparison answers what was submitted, nothing more.
/// </summary>
[GenerateSerializer, Immutable, Alias("ol.VerifiedLicense")]
public sealed record VerifiedLicense(
    [property: Id(0)] string Id,
    [property: Id(1)] string TypeCode,
    [property: Id(2)] string TypeName,
    [property: Id(3)] string IssuerCode,
    [property: Id(4)] string Version,
    [property: Id(5)] string? HolderName,
    [property: Id(6)] string HolderIdType,
    [property: Id(7)] string? HolderIdNumber,
    [property: Id(8)] DateOnly ValidFrom,
    [property: Id(9)] DateOnly? ValidUntil,
    [property: Id(10)] IReadOnlyDictionary<string, string> Fields,
    [property: Id(11)] string IdentifierCheck = Licenses.IdentifierChecks.Ok);

/// <summary>Public disclosure (公示) of a licence of a public type: public fields only.</summary>
[GenerateSerializer, Immutable, Alias("ol.PublicLicense")]
public sealed record PublicLicense(
    [property: Id(0)] string Id,
    [property: Id(1)] string TypeCode,
    [property: Id(2)] string TypeName,
    [property: Id(3)] string IssuerCode,
    [property: Id(4)] string Status,
    [property: Id(5)] string StatusCode,
    [property: Id(6)] DateOnly ValidFrom,
    [property: Id(7)] DateOnly? ValidUntil,
    [property: Id(8)] string? HolderName,
    [property: Id(9)] IReadOnlyDictionary<string, string> Fields,
    [property: Id(10)] bool Current,
    [property: Id(11)] string IdentifierCheck = Licenses.IdentifierChecks.Ok,
    [property: Id(12)] IReadOnlyDictionary<string, string>? FieldNames = null); // element key → the catalogue's name, for the disclosed fields

/// <summary>The current standing of a version, for checking a signed document offline-then-online.</summary>
[GenerateSerializer, Immutable, Alias("ol.DocumentStatus")]
public sealed record DocumentStatus(
    [property: Id(0)] bool Exists,
    [property: Id(1)] string Status,
    [property: Id(2)] IReadOnlyList<string> Reasons,
    [property: Id(3)] string? Canonical);
