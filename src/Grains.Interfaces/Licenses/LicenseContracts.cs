using Orleans.Concurrency;
using OrleansLicenses.Access;

namespace OrleansLicenses.Licenses;

/// <summary>
/// One electronic licence with every version it has had. Key: the licence number
/// <c>{type code}.{issuer code}.{serial}</c> (the GB/T 36904 identifier without version and check character).
/// Reads and verifications are <see cref="ReadOnlyAttribute">read-only</see>: they interleave with one another (a
/// verification waiting for its use record's commit does not hold up the next one) but never with a change, so
/// none of them sees a change before it is committed.
/// </summary>
public interface ILicenseGrain : IGrainWithStringKey
{
    /// <summary>Issues version 001: validates against the type's current schema, signs with the issuer's key, persists.</summary>
    Task<LicenseView> IssueAsync(IssueLicense command, Caller caller);

    /// <summary>Changes face data: a new, re-signed version with a new identifier; the previous version is superseded.</summary>
    Task<LicenseView> ChangeAsync(ChangeLicense command, Caller caller);

    /// <summary>Applies a status event (suspend, revoke, extend, mortgage, …) through the lifecycle table.</summary>
    Task<LicenseView> ApplyAsync(LifecycleEvent licenseEvent, Caller caller);

    /// <summary>The licence as of the given version (null: current), if the caller may see it; otherwise null.</summary>
    [ReadOnly]
    Task<LicenseView?> GetAsync(string? version, Caller caller);

    /// <summary>The timeline: who did what, when and why.</summary>
    [ReadOnly]
    Task<IReadOnlyList<HistoryEntry>?> GetHistoryAsync(Caller caller);

    /// <summary>The signed document of a version: canonical JSON, signature and certificate, verifiable offline.</summary>
    [ReadOnly]
    Task<SignedDocument?> GetDocumentAsync(string? version, Caller caller);

    /// <summary>Verifies for a verifier (查验/比对): answered from memory; null when the caller may not see the licence.</summary>
    [ReadOnly]
    Task<Verification.VerificationOutcome?> VerifyAsync(Verification.VerifyLicense request, Caller caller);

    /// <summary>
    /// The signed document for a verifier the holder authorized (<see cref="Verification.VerificationBasis.Authorization"/>,
    /// which spends one use of the grant), recorded in the use archive as a document use before it is answered;
    /// null when the basis does not allow it.
    /// </summary>
    [ReadOnly]
    Task<SignedDocument?> GetDocumentForUseAsync(Verification.VerifyLicense request, Caller caller);

    /// <summary>Public disclosure: public fields of a public type, or null.</summary>
    [ReadOnly]
    Task<Verification.PublicLicense?> GetPublicAsync(string? version);

    /// <summary>Status of a version for a presented signed document, with the canonical text it was signed in.</summary>
    [ReadOnly]
    Task<Verification.DocumentStatus> GetDocumentStatusAsync(string version);

    /// <summary>The live state for operators (natural-person ids masked); administrators only (anyone else is refused with 403).</summary>
    [ReadOnly]
    Task<LicenseView?> InspectAsync(Caller caller);
}

/// <summary>The holder (持证主体): id type 111 citizen id number or 001 unified social credit code.</summary>
[GenerateSerializer, Immutable, Alias("ol.HolderRef")]
public sealed record HolderRef(
    [property: Id(0)] string IdType,
    [property: Id(1)] string IdNumber,
    [property: Id(2)] string Name)
{
    /// <summary>The holder grain key, <c>idType:idNumber</c>.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string Key => $"{IdType}:{IdNumber}";
}

/// <summary>An issuance; <see cref="Import"/> is set when the record comes from a bulk import (offline or legacy).</summary>
[GenerateSerializer, Immutable, Alias("ol.IssueLicense")]
public sealed record IssueLicense(
    [property: Id(0)] string TypeCode,
    [property: Id(1)] HolderRef Holder,
    [property: Id(2)] IReadOnlyDictionary<string, string> Fields,
    [property: Id(3)] DateOnly ValidFrom,
    [property: Id(4)] DateOnly? ValidUntil,
    [property: Id(5)] ImportedRecord? Import = null);

/// <summary>Where a licence comes from: <c>online</c> (issued through the API), <c>offline</c> or <c>legacy</c> (bulk import).</summary>
public static class LicenseOrigins
{
    public const string Online = "online";
    public const string Offline = "offline";
    public const string Legacy = "legacy";
}

/// <summary>Whether a licence identifier's check character is the computed one (<c>ok</c>) or a digitized paper licence's wrong one (<c>mismatch</c>).</summary>
public static class IdentifierChecks
{
    public const string Ok = "ok";
    public const string Mismatch = "mismatch";
}

/// <summary>
/// The import side of an issuance: the origin (<see cref="LicenseOrigins.Offline"/> or <see cref="LicenseOrigins.Legacy"/>),
/// the source system's record id, and for a legacy record the paper licence's own identifier (kept verbatim, a wrong
/// check character included) and its original issue date.
/// </summary>
[GenerateSerializer, Immutable, Alias("ol.ImportedRecord")]
public sealed record ImportedRecord(
    [property: Id(0)] string Origin,
    [property: Id(1)] string SourceId,
    [property: Id(2)] string? LegacyIdentifier,
    [property: Id(3)] DateOnly? OriginalIssueDate);

/// <summary>
/// A change of the face, as a JSON merge patch (RFC 7396) of the current version's elements: <see cref="Fields"/>
/// are set, <see cref="Remove"/> (elements the patch set to null) are dropped, every other element is carried over.
/// The licence grain merges and then judges the whole new face.
/// </summary>
[GenerateSerializer, Immutable, Alias("ol.ChangeLicense")]
public sealed record ChangeLicense(
    [property: Id(0)] IReadOnlyDictionary<string, string> Fields,
    [property: Id(1)] string? HolderName,
    [property: Id(2)] string Reason,
    [property: Id(3)] IReadOnlyList<string>? Remove = null);

[GenerateSerializer, Immutable, Alias("ol.LicenseSignature")]
public sealed record LicenseSignature(
    [property: Id(0)] string Algorithm,
    [property: Id(1)] string Value,
    [property: Id(2)] string Certificate);

[GenerateSerializer, Immutable, Alias("ol.LicenseAnnotations")]
public sealed record LicenseAnnotations(
    [property: Id(0)] bool Mortgaged,
    [property: Id(1)] bool Pledged,
    [property: Id(2)] DateOnly? LastInspectionDate,
    [property: Id(3)] string? LastInspectionResult,
    [property: Id(4)] DateOnly? SuspendedUntil,
    [property: Id(5)] string? StatusReason);

/// <summary>The licence view of DESIGN.md §6.1. Face values are canonical strings (dates ISO 8601, numbers invariant).</summary>
[GenerateSerializer, Immutable, Alias("ol.LicenseView")]
public sealed record LicenseView(
    [property: Id(0)] string Id,
    [property: Id(1)] string LicenseNumber,
    [property: Id(2)] string TypeCode,
    [property: Id(3)] string IssuerCode,
    [property: Id(4)] string Version,
    [property: Id(5)] string Status,
    [property: Id(6)] string StatusCode,
    [property: Id(7)] HolderRef Holder,
    [property: Id(8)] IReadOnlyDictionary<string, string> Fields,
    [property: Id(9)] DateOnly ValidFrom,
    [property: Id(10)] DateOnly? ValidUntil,
    [property: Id(11)] int CatalogVersion,
    [property: Id(12)] DateTimeOffset IssuedAt,
    [property: Id(13)] bool Current,
    [property: Id(14)] string? SupersededBy,
    [property: Id(15)] IReadOnlyList<string> Reasons,
    [property: Id(16)] LicenseAnnotations Annotations,
    [property: Id(17)] LicenseSignature Signature,
    [property: Id(18)] string CurrentId,
    [property: Id(19)] string? SourceLibrary = null,
    [property: Id(20)] string Origin = LicenseOrigins.Online,
    [property: Id(21)] string IdentifierCheck = IdentifierChecks.Ok,
    [property: Id(22)] DateOnly? OriginalIssueDate = null);

[GenerateSerializer, Immutable, Alias("ol.HistoryEntry")]
public sealed record HistoryEntry(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] string Actor,
    [property: Id(2)] string Action,
    [property: Id(3)] string? Reason,
    [property: Id(4)] string Version,
    [property: Id(5)] string Identifier,
    [property: Id(6)] string Status);

/// <summary>
/// A version's signed document: <see cref="Canonical"/> is the exact signed byte string (UTF-8, RFC 8785).
/// <see cref="VerificationId"/> is set when a verifier received it: the id of its use record (用证存档).
/// </summary>
[GenerateSerializer, Immutable, Alias("ol.SignedDocument")]
public sealed record SignedDocument(
    [property: Id(0)] string Identifier,
    [property: Id(1)] string Canonical,
    [property: Id(2)] string Algorithm,
    [property: Id(3)] string UserId,
    [property: Id(4)] string Signature,
    [property: Id(5)] string Certificate,
    [property: Id(6)] string RootCertificate,
    [property: Id(7)] string? VerificationId = null);
