using OrleansLicenses.Access;

namespace OrleansLicenses.Corrections;

/// <summary>
/// One correction request (核查申请, measures art. 15) and its workflow: the issuing unit checks it within a stage
/// deadline, forwards technical causes to the library operator, who checks them within another, and the issuer closes
/// the request towards the requester. Key: the request id (a UUID). Deadlines are evaluated on every read; a durable
/// reminder escalates an overdue stage exactly once.
/// </summary>
public interface ICorrectionGrain : IGrainWithStringKey
{
    /// <summary>Files the request for the caller (the licence's holder, or a verifier whose unit has a use record of it).</summary>
    Task<CorrectionView> FileAsync(FileCorrection command, Caller caller);

    /// <summary>The request as the caller may see it (requester, the issuing unit's clients, admins); null for anyone else.</summary>
    Task<CorrectionView?> GetAsync(Caller caller);

    /// <summary>The issuer (at its stage) or the operator (at the operator stage) decides: corrected or confirmed.</summary>
    Task<CorrectionView> ResolveAsync(ResolveCorrection command, Caller caller);

    /// <summary>The issuer hands a technical cause to the library operator.</summary>
    Task<CorrectionView> ForwardAsync(string reason, Caller caller);

    /// <summary>The issuer closes a request the operator answered, telling the requester (and applies the operator's correction).</summary>
    Task<CorrectionView> CloseAsync(string reason, Caller caller);

    /// <summary>Escalates the current stage if it is overdue and not yet escalated; true when it escalated now.</summary>
    Task<bool> CheckDeadlineAsync();

    /// <summary>The live state for operators; administrators only (anyone else is refused with 403).</summary>
    Task<CorrectionView?> InspectAsync(Caller caller);
}

/// <summary>Marks notifications read. Key: the recipient (<c>holder:idType:idNumber</c>, <c>unit:code</c> or <c>operator</c>).</summary>
public interface INotificationInboxGrain : IGrainWithStringKey
{
    /// <summary>Marks one of this recipient's notifications read; false when the recipient has no such notification.</summary>
    Task<bool> MarkReadAsync(Guid notificationId);
}

/// <summary>What the requester disputes: the face elements and the values they believe right.</summary>
[GenerateSerializer, Immutable, Alias("ol.FileCorrection")]
public sealed record FileCorrection(
    [property: Id(0)] string LicenseId,
    [property: Id(1)] string LicenseNumber,
    [property: Id(2)] IReadOnlyDictionary<string, string> Fields,
    [property: Id(3)] string Description,
    [property: Id(4)] string Cause,
    [property: Id(5)] CorrectionEvidence? Evidence = null);

/// <summary>An evidence file the requester attaches (limits in <see cref="EvidenceLimits"/>); stored beside the request, not in its state.</summary>
[GenerateSerializer, Immutable, Alias("ol.CorrectionEvidence")]
public sealed record CorrectionEvidence(
    [property: Id(0)] string FileName,
    [property: Id(1)] string ContentType,
    [property: Id(2)] byte[] Content);

/// <summary>What a request's view says of its evidence file: name, type, size and SHA-256 (hex), not the content.</summary>
[GenerateSerializer, Immutable, Alias("ol.EvidenceInfo")]
public sealed record EvidenceInfo(
    [property: Id(0)] string FileName,
    [property: Id(1)] string ContentType,
    [property: Id(2)] int Size,
    [property: Id(3)] string Sha256);

/// <summary>A decision: <c>corrected</c> (with the face elements to change, as a merge patch) or <c>confirmed</c>.</summary>
[GenerateSerializer, Immutable, Alias("ol.ResolveCorrection")]
public sealed record ResolveCorrection(
    [property: Id(0)] string Outcome,
    [property: Id(1)] IReadOnlyDictionary<string, string>? Fields,
    [property: Id(2)] string Reason);

/// <summary>One step of the workflow, as shown to those who may see the request (actors by role and unit, not by client id).</summary>
[GenerateSerializer, Immutable, Alias("ol.CorrectionStep")]
public sealed record CorrectionStep(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] string Action,
    [property: Id(2)] string ActorRole,
    [property: Id(3)] string? ActorUnit,
    [property: Id(4)] string Stage,
    [property: Id(5)] string? Reason);

[GenerateSerializer, Immutable, Alias("ol.CorrectionView")]
public sealed record CorrectionView(
    [property: Id(0)] string Id,
    [property: Id(1)] string LicenseId,
    [property: Id(2)] string IssuerCode,
    [property: Id(3)] string Cause,
    [property: Id(4)] string Description,
    [property: Id(5)] IReadOnlyDictionary<string, string> Fields,
    [property: Id(6)] string Status,
    [property: Id(7)] string Stage,
    [property: Id(8)] DateTimeOffset? DueAt,
    [property: Id(9)] bool Overdue,
    [property: Id(10)] string? Outcome,
    [property: Id(11)] string? NewVersion,
    [property: Id(12)] string? NewIdentifier,
    [property: Id(13)] DateTimeOffset CreatedAt,
    [property: Id(14)] DateTimeOffset? ResolvedAt,
    [property: Id(15)] IReadOnlyList<string> EscalatedStages,
    [property: Id(16)] IReadOnlyList<CorrectionStep> Steps,
    [property: Id(17)] string RequesterRole,
    [property: Id(18)] EvidenceInfo? Evidence = null);
