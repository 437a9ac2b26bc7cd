namespace OrleansLicenses.Licenses;

/// <summary>The event types of the lifecycle (issue #4, DESIGN.md §4 and §6).</summary>
public static class LicenseEventTypes
{
    /// <summary>暂扣; optional <c>until</c> (last day of the suspension, inclusive).</summary>
    public const string Suspend = "suspend";
    /// <summary>Ends a suspension early (发还).</summary>
    public const string Reinstate = "reinstate";
    /// <summary>吊销 (a penalty).</summary>
    public const string Revoke = "revoke";
    /// <summary>注销.</summary>
    public const string Cancel = "cancel";
    /// <summary>撤销.</summary>
    public const string Withdraw = "withdraw";
    /// <summary>废止; <c>reason</c> required.</summary>
    public const string Abolish = "abolish";
    /// <summary>年检; <c>inspectionResult</c> and <c>inspectionDate</c> required.</summary>
    public const string AnnualInspection = "annual-inspection";
    /// <summary>延期; <c>newValidUntil</c> required; makes a new version.</summary>
    public const string Extend = "extend";
    /// <summary>抵押.</summary>
    public const string Mortgage = "mortgage";
    /// <summary>解除抵押.</summary>
    public const string ReleaseMortgage = "release-mortgage";
    /// <summary>质押.</summary>
    public const string Pledge = "pledge";
    /// <summary>解除质押.</summary>
    public const string ReleasePledge = "release-pledge";
    /// <summary>转出.</summary>
    public const string TransferOut = "transfer-out";
    /// <summary>变更 of face data; makes a new version (sent through <c>/changes</c>, not <c>/events</c>).</summary>
    public const string Change = "change";

    /// <summary>Every event type the licence lifecycle knows.</summary>
    public static readonly IReadOnlyList<string> All =
    [
        Suspend, Reinstate, Revoke, Cancel, Withdraw, Abolish, AnnualInspection, Extend,
        Mortgage, ReleaseMortgage, Pledge, ReleasePledge, TransferOut, Change,
    ];

    /// <summary>The types accepted by <c>POST /api/licenses/{id}/events</c>: all but <see cref="Change"/>.</summary>
    public static readonly IReadOnlyList<string> StatusEvents = [.. All.Where(t => t != Change)];

    public static bool IsKnown(string? type) => type is not null && All.Contains(type, StringComparer.Ordinal);
}

/// <summary>Results of an annual inspection (年检结论).</summary>
public static class InspectionResults
{
    /// <summary>合格.</summary>
    public const string Passed = "passed";
    /// <summary>不合格. Recorded only: an inspection never changes the status by itself.</summary>
    public const string Failed = "failed";

    public static readonly IReadOnlyList<string> All = [Passed, Failed];
}

/// <summary>Stable codes of lifecycle rejections (problem details <c>code</c> extension).</summary>
public static class LifecycleCodes
{
    /// <summary>400: the event itself is malformed (unknown type, missing or out-of-range field).</summary>
    public const string InvalidEvent = "license.invalid_event";
    /// <summary>409: the licence's effective status does not accept this event.</summary>
    public const string InvalidTransition = "license.invalid_transition";
    /// <summary>409: mortgage while already mortgaged.</summary>
    public const string AlreadyMortgaged = "license.already_mortgaged";
    /// <summary>409: release-mortgage while not mortgaged.</summary>
    public const string NotMortgaged = "license.not_mortgaged";
    /// <summary>409: pledge while already pledged.</summary>
    public const string AlreadyPledged = "license.already_pledged";
    /// <summary>409: release-pledge while not pledged.</summary>
    public const string NotPledged = "license.not_pledged";
    /// <summary>409: transfer-out while mortgaged or pledged.</summary>
    public const string Encumbered = "license.encumbered";
    /// <summary>409: extend of a long-term (长期) licence, which has no end to move.</summary>
    public const string LongTerm = "license.long_term";
    /// <summary>409: a new version would pass 999, the last version the identifier can carry.</summary>
    public const string VersionLimit = "license.version_limit";
}

/// <summary>
/// A lifecycle event as requested. Fields that the type does not use must be absent; <see cref="Reason"/>
/// is accepted (and recorded) with every type.
/// </summary>
[GenerateSerializer, Immutable, Alias("ol.LifecycleEvent")]
public sealed record LifecycleEvent(
    [property: Id(0)] string Type,
    [property: Id(1)] string? Reason = null,
    [property: Id(2)] DateOnly? Until = null,
    [property: Id(3)] DateOnly? NewValidUntil = null,
    [property: Id(4)] string? InspectionResult = null,
    [property: Id(5)] DateOnly? InspectionDate = null)
{
    /// <summary>Longest accepted <see cref="Reason"/>.</summary>
    public const int MaxReasonLength = 500;
}
