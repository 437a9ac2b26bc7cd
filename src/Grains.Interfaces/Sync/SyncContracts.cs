using OrleansLicenses.Access;

namespace OrleansLicenses.Sync;

/// <summary>
/// One licence change as a lower library pushes it upward: the change's place in the source's feed, the lifecycle it
/// left, and the signed document of the licence's current version exactly as the issuing unit signed it.
/// </summary>
/// <param name="Identifier">The current version's identifier after the change.</param>
/// <param name="LicenseSeq">The change's number within the licence at the source (1 = issue); never goes back.</param>
/// <param name="GlobalSeq">The change's number in the source library's feed.</param>
/// <param name="Operation"><c>issue</c>, <c>change</c> or the status event's type.</param>
/// <param name="OccurredAt">When the change was committed at the source.</param>
/// <param name="IssuerRegion">The issuing unit's region (GB/T 2260).</param>
/// <param name="Status">The stored lifecycle status after the change (expiry is applied on read, everywhere).</param>
/// <param name="Lifecycle">Validity, suspension and annotations after the change.</param>
/// <param name="IssuedAt">When the licence was first issued at the source.</param>
/// <param name="Document">The signed canonical document (RFC 8785 JSON) of the current version.</param>
/// <param name="Signature">SM2 signature over <paramref name="Document"/>, base64 DER.</param>
/// <param name="Certificate">The issuing unit's certificate, base64 DER.</param>
[GenerateSerializer, Immutable, Alias("ol.SyncRecord")]
public sealed record SyncRecord(
    [property: Id(0)] string Identifier,
    [property: Id(1)] int LicenseSeq,
    [property: Id(2)] long GlobalSeq,
    [property: Id(3)] string Operation,
    [property: Id(4)] DateTimeOffset OccurredAt,
    [property: Id(5)] string IssuerRegion,
    [property: Id(6)] string Status,
    [property: Id(7)] SyncLifecycle Lifecycle,
    [property: Id(8)] DateTimeOffset IssuedAt,
    [property: Id(9)] string Document,
    [property: Id(10)] string Signature,
    [property: Id(11)] string Certificate);

/// <summary>The lifecycle a change left, besides its status.</summary>
[GenerateSerializer, Immutable, Alias("ol.SyncLifecycle")]
public sealed record SyncLifecycle(
    [property: Id(0)] DateOnly ValidFrom,
    [property: Id(1)] DateOnly? ValidUntil,
    [property: Id(2)] DateOnly? SuspendedUntil,
    [property: Id(3)] bool Mortgaged,
    [property: Id(4)] bool Pledged,
    [property: Id(5)] DateOnly? LastInspectionDate = null,
    [property: Id(6)] string? LastInspectionResult = null,
    [property: Id(7)] string? StatusReason = null);

/// <summary>A batch of changes from one lower library (<c>POST /api/sync/batches</c>).</summary>
/// <param name="BatchId">Chosen by the sender; the same id from the same client is applied once.</param>
/// <param name="SourceRegion">The sending library's region; must lie inside the sync client's region.</param>
/// <param name="Records">Changes in the source's feed order.</param>
[GenerateSerializer, Immutable, Alias("ol.SyncBatch")]
public sealed record SyncBatch(
    [property: Id(0)] string BatchId,
    [property: Id(1)] string SourceRegion,
    [property: Id(2)] IReadOnlyList<SyncRecord> Records);

/// <summary>What the receiving library did with a batch.</summary>
/// <param name="BatchId">The batch.</param>
/// <param name="Duplicate">True when this batch was received before: nothing was applied again, the first result is returned.</param>
/// <param name="Applied">Records that moved a licence forward (or added a version it lacked).</param>
/// <param name="Unchanged">Valid records the library already held (same or older change of the licence).</param>
/// <param name="Rejected">Records refused, each with its reason.</param>
[GenerateSerializer, Immutable, Alias("ol.SyncBatchResult")]
public sealed record SyncBatchResult(
    [property: Id(0)] string BatchId,
    [property: Id(1)] bool Duplicate,
    [property: Id(2)] int Applied,
    [property: Id(3)] int Unchanged,
    [property: Id(4)] IReadOnlyList<SyncRejection> Rejected);

/// <summary>A refused record: its position in the batch, what it named, and why (a stable reason code and a detail).</summary>
[GenerateSerializer, Immutable, Alias("ol.SyncRejection")]
public sealed record SyncRejection(
    [property: Id(0)] int Index,
    [property: Id(1)] string? Identifier,
    [property: Id(2)] int LicenseSeq,
    [property: Id(3)] string Reason,
    [property: Id(4)] string Detail);

/// <summary>Stable reason codes of <see cref="SyncRejection.Reason"/>.</summary>
public static class SyncReasons
{
    public const string IdentifierInvalid = "identifier-invalid";
    public const string CodeInvalid = "code-invalid";
    public const string RegionOutside = "region-outside-client";
    public const string Malformed = "malformed";
    public const string CertificateUntrusted = "certificate-untrusted";
    public const string SignatureInvalid = "signature-invalid";
    public const string DocumentMismatch = "document-mismatch";
    public const string LocalLicense = "local-licence";
    public const string OtherSource = "other-source";
}

/// <summary>Receives one batch from one sync client; keyed <c>{client id}/{batch id}</c>, so a batch is handled once at a time.</summary>
public interface ISyncBatchGrain : IGrainWithStringKey
{
    /// <summary>Validates and applies the batch (each licence's records in order), or returns the first result of the same batch.</summary>
    Task<SyncBatchResult> ReceiveAsync(SyncBatch batch, Caller caller);
}

/// <summary>One leaf of a consistency digest: what both libraries must agree on for a licence.</summary>
[GenerateSerializer, Immutable, Alias("ol.DigestLeaf")]
public sealed record DigestLeaf(
    [property: Id(0)] string Identifier,
    [property: Id(1)] string Version,
    [property: Id(2)] string Status,
    [property: Id(3)] string DocumentHash,
    [property: Id(4)] DateOnly Day);

/// <summary>Count and SM3 Merkle root of one issue day's leaves.</summary>
[GenerateSerializer, Immutable, Alias("ol.DigestDay")]
public sealed record DigestDay(
    [property: Id(0)] DateOnly Day,
    [property: Id(1)] int Count,
    [property: Id(2)] string Root);

/// <summary>
/// A consistency digest of one issuer's licences issued from <paramref name="From"/> to <paramref name="To"/> (issue days,
/// China Standard Time, inclusive): count and SM3 Merkle root over the leaves in identifier order, and the same per day.
/// </summary>
[GenerateSerializer, Immutable, Alias("ol.SyncDigest")]
public sealed record SyncDigest(
    [property: Id(0)] string Issuer,
    [property: Id(1)] DateOnly? From,
    [property: Id(2)] DateOnly? To,
    [property: Id(3)] int Count,
    [property: Id(4)] string Root,
    [property: Id(5)] IReadOnlyList<DigestDay> Days,
    [property: Id(6)] IReadOnlyList<DigestLeaf>? Leaves);

/// <summary>Computes consistency digests from the change feed (any silo).</summary>
public interface ISyncDigestGrain : IGrainWithIntegerKey
{
    /// <summary>The digest of an issuer's licences (admin: all; sync: those of issuers inside the client's region); leaves on request.</summary>
    Task<SyncDigest> DigestAsync(string issuer, DateOnly? from, DateOnly? to, bool leaves, Caller caller);
}
