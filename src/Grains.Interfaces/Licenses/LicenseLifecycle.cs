using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using OrleansLicenses.Errors;

namespace OrleansLicenses.Licenses;

/// <summary>
/// Status of a licence. The numeric values are the national status codes (DESIGN.md §4), so a stored
/// value never changes meaning; <see cref="LicenseStatusCodes"/> gives the two-digit code and the wire name.
/// </summary>
public enum LicenseStatus
{
    /// <summary>有效 (01).</summary>
    Valid = 1,
    /// <summary>暂扣 (02).</summary>
    Suspended = 2,
    /// <summary>撤销 (03).</summary>
    Withdrawn = 3,
    /// <summary>注销 (04).</summary>
    Cancelled = 4,
    /// <summary>失效 (05). Normally derived from the validity end and the clock, never stored by an event.</summary>
    Expired = 5,
    /// <summary>转出 (06).</summary>
    Transferred = 6,
    /// <summary>吊销 (07).</summary>
    Revoked = 7,
    /// <summary>废止 (99, always with a reason).</summary>
    Abolished = 99,
}

/// <summary>National codes and wire names of <see cref="LicenseStatus"/>.</summary>
public static class LicenseStatusCodes
{
    public static readonly IReadOnlyList<LicenseStatus> All =
    [
        LicenseStatus.Valid, LicenseStatus.Suspended, LicenseStatus.Withdrawn, LicenseStatus.Cancelled,
        LicenseStatus.Expired, LicenseStatus.Transferred, LicenseStatus.Revoked, LicenseStatus.Abolished,
    ];

    /// <summary>The two-digit national status code: <c>01</c> … <c>07</c>, <c>99</c>.</summary>
    public static string ToNationalCode(this LicenseStatus status) => status switch
    {
        LicenseStatus.Valid => "01",
        LicenseStatus.Suspended => "02",
        LicenseStatus.Withdrawn => "03",
        LicenseStatus.Cancelled => "04",
        LicenseStatus.Expired => "05",
        LicenseStatus.Transferred => "06",
        LicenseStatus.Revoked => "07",
        LicenseStatus.Abolished => "99",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown licence status."),
    };

    /// <summary>The JSON name: <c>valid</c>, <c>suspended</c>, <c>withdrawn</c>, … (also the verification reason).</summary>
    public static string ToWireName(this LicenseStatus status) => status switch
    {
        LicenseStatus.Valid => "valid",
        LicenseStatus.Suspended => "suspended",
        LicenseStatus.Withdrawn => "withdrawn",
        LicenseStatus.Cancelled => "cancelled",
        LicenseStatus.Expired => "expired",
        LicenseStatus.Transferred => "transferred",
        LicenseStatus.Revoked => "revoked",
        LicenseStatus.Abolished => "abolished",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown licence status."),
    };

    /// <summary>Parses a national code (exact, e.g. <c>"02"</c>), as found in legacy and aggregated data.</summary>
    public static bool TryFromNationalCode(string? code, out LicenseStatus status)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(candidate.ToNationalCode(), code, StringComparison.Ordinal))
            {
                status = candidate;
                return true;
            }
        }

        status = default;
        return false;
    }

    /// <summary>Parses a wire name (exact, lower-case).</summary>
    public static bool TryFromWireName(string? name, out LicenseStatus status)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(candidate.ToWireName(), name, StringComparison.Ordinal))
            {
                status = candidate;
                return true;
            }
        }

        status = default;
        return false;
    }

    /// <summary>
    /// Withdrawn, cancelled, transferred, revoked and abolished end the licence for good: no event is
    /// accepted afterwards (a new licence must be issued). Valid, suspended and expired are not terminal.
    /// </summary>
    public static bool IsTerminal(this LicenseStatus status) => status
        is LicenseStatus.Withdrawn or LicenseStatus.Cancelled or LicenseStatus.Transferred
        or LicenseStatus.Revoked or LicenseStatus.Abolished;
}

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

    /// <summary>Every event type <see cref="LicenseLifecycle.Apply"/> knows.</summary>
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
/// The lifecycle part of a licence's state: stored status, validity, annotations and version number.
/// The status that counts is <see cref="LicenseLifecycle.Effective"/>, which adds the clock.
/// </summary>
/// <param name="Status">The stored status. Events never store <see cref="LicenseStatus.Expired"/>; it may come from legacy data.</param>
/// <param name="ValidFrom">First day of validity, inclusive.</param>
/// <param name="ValidUntil">Last day of validity, inclusive; null = long-term (长期).</param>
/// <param name="SuspendedUntil">Last day of a suspension, inclusive; null while suspended = until reinstated. Only meaningful when <paramref name="Status"/> is suspended.</param>
/// <param name="Mortgaged">抵押 recorded and not released.</param>
/// <param name="Pledged">质押 recorded and not released.</param>
/// <param name="VersionNumber">1 for <c>001</c>; extend and change add one.</param>
/// <param name="LastInspectionDate">Date of the latest annual inspection recorded.</param>
/// <param name="LastInspectionResult">Its result (<see cref="InspectionResults"/>).</param>
/// <param name="StatusReason">The reason given with the event that set the stored status (suspend, revoke, …); cleared on reinstate.</param>
[GenerateSerializer, Immutable, Alias("ol.Lifecycle")]
public sealed record Lifecycle(
    [property: Id(0)] LicenseStatus Status,
    [property: Id(1)] DateOnly ValidFrom,
    [property: Id(2)] DateOnly? ValidUntil,
    [property: Id(3)] DateOnly? SuspendedUntil,
    [property: Id(4)] bool Mortgaged,
    [property: Id(5)] bool Pledged,
    [property: Id(6)] int VersionNumber,
    [property: Id(7)] DateOnly? LastInspectionDate = null,
    [property: Id(8)] string? LastInspectionResult = null,
    [property: Id(9)] string? StatusReason = null)
{
    public bool IsLongTerm => ValidUntil is null;
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
    [property: Id(5)] DateOnly? InspectionDate = null);

/// <summary>Why an event was refused. <paramref name="Kind"/> is <see cref="DomainErrorKind.Invalid"/> (400) or <see cref="DomainErrorKind.Conflict"/> (409).</summary>
/// <param name="Kind">Invalid (400, the event is malformed) or Conflict (409, the licence's state refuses it).</param>
/// <param name="Code">Stable code from <see cref="LifecycleCodes"/>.</param>
/// <param name="Message">Human-readable explanation.</param>
/// <param name="Field">The request field at fault, for <see cref="DomainErrorKind.Invalid"/>.</param>
[GenerateSerializer, Immutable, Alias("ol.LifecycleRejection")]
public sealed record LifecycleRejection(
    [property: Id(0)] DomainErrorKind Kind,
    [property: Id(1)] string Code,
    [property: Id(2)] string Message,
    [property: Id(3)] string? Field = null)
{
    public DomainException ToException() => new(Kind, Code, Message, Field);
}

/// <summary>The outcome of <see cref="LicenseLifecycle.Apply"/>: the new lifecycle, or a rejection. Expected refusals are values, not exceptions.</summary>
public sealed class LifecycleResult
{
    private LifecycleResult(Lifecycle? lifecycle, bool newVersion, LifecycleRejection? rejection)
    {
        Lifecycle = lifecycle;
        NewVersion = newVersion;
        Rejection = rejection;
    }

    /// <summary>The lifecycle after the event, when accepted.</summary>
    public Lifecycle? Lifecycle { get; }

    /// <summary>True when the event made a new version (extend, change): the caller issues the next identifier and re-signs.</summary>
    public bool NewVersion { get; }

    public LifecycleRejection? Rejection { get; }

    [MemberNotNullWhen(true, nameof(Lifecycle))]
    public bool Accepted => Lifecycle is not null;

    [MemberNotNullWhen(true, nameof(Rejection))]
    public bool Rejected => Rejection is not null;

    public static LifecycleResult Accept(Lifecycle lifecycle, bool newVersion)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        return new(lifecycle, newVersion, null);
    }

    public static LifecycleResult Reject(LifecycleRejection rejection)
    {
        ArgumentNullException.ThrowIfNull(rejection);
        return new(null, false, rejection);
    }

    /// <summary>The new lifecycle, or the rejection thrown as a <see cref="DomainException"/> (for grains).</summary>
    public Lifecycle GetOrThrow() => Accepted ? Lifecycle : throw Rejection!.ToException();

    public override string ToString() => Accepted
        ? $"accepted{(NewVersion ? " (new version)" : "")}: {Lifecycle}"
        : $"rejected {Rejection!.Kind} {Rejection.Code}: {Rejection.Message}";
}

/// <summary>
/// The licence lifecycle as pure functions over <see cref="Lifecycle"/> and a date: the transition table,
/// event validation, and status on read. No I/O, no clock of its own: callers pass "today" in the
/// province's time zone (UTC+8).
/// </summary>
/// <remarks>
/// <para><b>Dates.</b> <see cref="Lifecycle.ValidUntil"/> and a suspension's <c>until</c> are inclusive: a
/// licence valid until 2031-11-27 is valid all that day and reads expired from 2031-11-28; a licence
/// suspended until 2027-01-31 is suspended that day and reads valid again from 2027-02-01. This matches
/// how the dates are printed on a licence (有效期至 / 暂扣至) and DESIGN.md §6.1 (5 years from 2026-11-28
/// ends 2031-11-27).</para>
/// <para><b>On read, not by batch.</b> Expiry and the end of a suspension follow from the dates and today
/// (<see cref="Effective"/>); nothing has to run on the day. Every event is judged against the effective
/// status on the day it is applied, and an accepted event stores the lapsed suspension as ended
/// (<see cref="Normalize"/>). Expiry itself is never stored, so an extension simply moves the end.</para>
/// <para><b>Not yet valid.</b> A licence whose <see cref="Lifecycle.ValidFrom"/> is in the future has no
/// national status of its own: its status stays <c>valid</c> (01) and <see cref="Reasons"/> adds
/// <c>not-yet-valid</c>; <see cref="IsInForce"/> is false. It accepts the same events as a valid licence.</para>
/// <para><b>Precedence on read.</b> A terminal status wins over everything (a revoked licence past its end
/// reads revoked); then expiry (a suspended licence past its end reads expired, and its reasons list both
/// <c>expired</c> and <c>suspended</c>); then suspension.</para>
/// <para><b>Order of checks in <see cref="Apply"/></b>, so one event always gets the same answer: (1) known
/// type and request shape → 400 <c>license.invalid_event</c>; (2) the effective status accepts the type →
/// else 409 <c>license.invalid_transition</c>; (3) the row's guard (annotations, long-term, dates against
/// the licence, version limit) → 409 with a specific code or 400; (4) the effect.</para>
/// </remarks>
public static class LicenseLifecycle
{
    /// <summary>The last version number an identifier can carry (3 digits).</summary>
    public const int MaxVersion = 999;

    /// <summary>Longest accepted <see cref="LifecycleEvent.Reason"/>.</summary>
    public const int MaxReasonLength = 500;

    /// <summary>Verification reason for a licence whose validity has not started.</summary>
    public const string NotYetValid = "not-yet-valid";

    private static readonly LicenseStatus[] Live = [LicenseStatus.Valid, LicenseStatus.Suspended];
    private static readonly LicenseStatus[] LiveOrExpired = [LicenseStatus.Valid, LicenseStatus.Suspended, LicenseStatus.Expired];

    // ───────────────────────────────────────────────────────────────────────────────────────────────
    // THE TRANSITION TABLE — the one place that says which event is accepted from which status.
    // "From" is the EFFECTIVE status on the day of the event (clock applied): a licence past its end is
    // expired, a suspension whose `until` has passed is valid. Withdrawn, cancelled, transferred, revoked
    // and abolished appear in no row: they are terminal and accept nothing (not even annotation releases;
    // the history keeps what was recorded). The stored status never becomes "expired" through an event.
    //
    //  event              from                       fields                     guard / effect
    //  suspend            valid                      until? (≥ today)           → suspended until `until` (inclusive) or until reinstated.
    //                                                                           A suspended licence cannot be suspended again: reinstate first.
    //  reinstate          suspended                  —                          → valid. A suspension that ended by itself reads valid: 409.
    //  revoke             valid, suspended           —                          → revoked. A penalty presupposes a licence in force, so not from expired.
    //  withdraw           valid, suspended, expired  —                          → withdrawn. 撤销 undoes an unlawful grant retroactively, so it
    //                                                                           applies to a lapsed licence too.
    //  cancel             valid, suspended, expired  —                          → cancelled. 注销 of an expired, unrenewed licence is the usual case
    //                                                                           (Administrative Licensing Law art. 70).
    //  abolish            valid, suspended, expired  reason (required)          → abolished (99), the reason kept as StatusReason.
    //  annual-inspection  valid, suspended           result ∈ passed|failed,    records the inspection (the latest by date is kept); never changes
    //                                                date (ValidFrom..today)    the status, a failed one included — the issuer decides separately.
    //  extend             valid, suspended, expired  newValidUntil (≥ today,    409 long_term when there is no end to move; 400 when the new end is
    //                                                > current end)             not later than the current one; → new end, NEW VERSION. The stored
    //                                                                           status is kept: an extension does not lift a suspension; a legacy
    //                                                                           stored "expired" becomes valid.
    //  mortgage           valid, suspended           —                          409 already_mortgaged; → mortgaged. Not on an expired licence.
    //  release-mortgage   valid, suspended, expired  —                          409 not_mortgaged; → not mortgaged. Releasing only ever helps the holder.
    //  pledge             valid, suspended           —                          409 already_pledged; → pledged.
    //  release-pledge     valid, suspended, expired  —                          409 not_pledged; → not pledged.
    //  transfer-out       valid                      —                          409 encumbered while mortgaged or pledged; → transferred.
    //                                                                           Not while suspended: a suspended licence stays where it is.
    //  change             valid, suspended           —                          → NEW VERSION, status kept (a holder's address can change during a
    //                                                                           suspension). Not from expired: extend first.
    //
    //  extend and change answer 409 version_limit when the licence is already at version 999.
    //  Mortgage and pledge are independent annotations; neither ends validity nor blocks cancel, revoke,
    //  withdraw or abolish (state acts), only transfer-out (the holder's act).
    // ───────────────────────────────────────────────────────────────────────────────────────────────
    private static readonly FrozenDictionary<string, Transition> Table = new Dictionary<string, Transition>(StringComparer.Ordinal)
    {
        [LicenseEventTypes.Suspend] = new(
            From: [LicenseStatus.Valid], Fields: EventFields.Until, Required: EventFields.None,
            Guard: null,
            Effect: (l, e) => l with { Status = LicenseStatus.Suspended, SuspendedUntil = e.Until, StatusReason = Clean(e.Reason) }),

        [LicenseEventTypes.Reinstate] = new(
            From: [LicenseStatus.Suspended], Fields: EventFields.None, Required: EventFields.None,
            Guard: null,
            Effect: (l, _) => l with { Status = LicenseStatus.Valid, SuspendedUntil = null, StatusReason = null }),

        [LicenseEventTypes.Revoke] = new(
            From: Live, Fields: EventFields.None, Required: EventFields.None,
            Guard: null,
            Effect: (l, e) => Terminate(l, LicenseStatus.Revoked, e)),

        [LicenseEventTypes.Withdraw] = new(
            From: LiveOrExpired, Fields: EventFields.None, Required: EventFields.None,
            Guard: null,
            Effect: (l, e) => Terminate(l, LicenseStatus.Withdrawn, e)),

        [LicenseEventTypes.Cancel] = new(
            From: LiveOrExpired, Fields: EventFields.None, Required: EventFields.None,
            Guard: null,
            Effect: (l, e) => Terminate(l, LicenseStatus.Cancelled, e)),

        [LicenseEventTypes.Abolish] = new(
            From: LiveOrExpired, Fields: EventFields.None, Required: EventFields.Reason,
            Guard: null,
            Effect: (l, e) => Terminate(l, LicenseStatus.Abolished, e)),

        [LicenseEventTypes.AnnualInspection] = new(
            From: Live, Fields: EventFields.Inspection, Required: EventFields.Inspection,
            Guard: (l, e) => e.InspectionDate < l.ValidFrom
                ? Invalid("inspectionDate", $"inspectionDate {e.InspectionDate:yyyy-MM-dd} is before the licence's validity starts ({l.ValidFrom:yyyy-MM-dd}).")
                : null,
            Effect: (l, e) => l.LastInspectionDate > e.InspectionDate
                ? l // a late-recorded older inspection goes to the history only
                : l with { LastInspectionDate = e.InspectionDate, LastInspectionResult = e.InspectionResult }),

        [LicenseEventTypes.Extend] = new(
            From: LiveOrExpired, Fields: EventFields.NewValidUntil, Required: EventFields.NewValidUntil,
            Guard: (l, e) =>
                l.ValidUntil is not { } end ? Conflict(LifecycleCodes.LongTerm, "A long-term licence has no validity end to extend.")
                : e.NewValidUntil <= end ? Invalid("newValidUntil", $"newValidUntil must be later than the current validity end {end:yyyy-MM-dd}.")
                : NextVersionGuard(l),
            Effect: (l, e) => l with
            {
                ValidUntil = e.NewValidUntil,
                Status = l.Status == LicenseStatus.Expired ? LicenseStatus.Valid : l.Status,
                StatusReason = l.Status == LicenseStatus.Expired ? null : l.StatusReason,
                VersionNumber = l.VersionNumber + 1,
            },
            NewVersion: true),

        [LicenseEventTypes.Mortgage] = new(
            From: Live, Fields: EventFields.None, Required: EventFields.None,
            Guard: (l, _) => l.Mortgaged ? Conflict(LifecycleCodes.AlreadyMortgaged, "The licence is already mortgaged; release the mortgage first.") : null,
            Effect: (l, _) => l with { Mortgaged = true }),

        [LicenseEventTypes.ReleaseMortgage] = new(
            From: LiveOrExpired, Fields: EventFields.None, Required: EventFields.None,
            Guard: (l, _) => l.Mortgaged ? null : Conflict(LifecycleCodes.NotMortgaged, "The licence is not mortgaged."),
            Effect: (l, _) => l with { Mortgaged = false }),

        [LicenseEventTypes.Pledge] = new(
            From: Live, Fields: EventFields.None, Required: EventFields.None,
            Guard: (l, _) => l.Pledged ? Conflict(LifecycleCodes.AlreadyPledged, "The licence is already pledged; release the pledge first.") : null,
            Effect: (l, _) => l with { Pledged = true }),

        [LicenseEventTypes.ReleasePledge] = new(
            From: LiveOrExpired, Fields: EventFields.None, Required: EventFields.None,
            Guard: (l, _) => l.Pledged ? null : Conflict(LifecycleCodes.NotPledged, "The licence is not pledged."),
            Effect: (l, _) => l with { Pledged = false }),

        [LicenseEventTypes.TransferOut] = new(
            From: [LicenseStatus.Valid], Fields: EventFields.None, Required: EventFields.None,
            Guard: (l, _) => l.Mortgaged || l.Pledged
                ? Conflict(LifecycleCodes.Encumbered, "A mortgaged or pledged licence cannot be transferred out; release it first.")
                : null,
            Effect: (l, e) => Terminate(l, LicenseStatus.Transferred, e)),

        [LicenseEventTypes.Change] = new(
            From: Live, Fields: EventFields.None, Required: EventFields.None,
            Guard: (l, _) => NextVersionGuard(l),
            Effect: (l, _) => l with { VersionNumber = l.VersionNumber + 1 },
            NewVersion: true),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>For each event type, the effective statuses that accept it (read-only view of the table).</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlySet<LicenseStatus>> AcceptedFrom =
        Table.ToFrozenDictionary(row => row.Key, row => (IReadOnlySet<LicenseStatus>)row.Value.From.ToFrozenSet(), StringComparer.Ordinal);

    /// <summary>The lifecycle of a newly issued (or imported) licence: valid, version 1, no annotations.</summary>
    public static LifecycleResult Issue(DateOnly validFrom, DateOnly? validUntil)
    {
        if (validUntil < validFrom)
        {
            return LifecycleResult.Reject(Invalid("validUntil", $"validUntil {validUntil:yyyy-MM-dd} is before validFrom {validFrom:yyyy-MM-dd}."));
        }

        return LifecycleResult.Accept(new Lifecycle(LicenseStatus.Valid, validFrom, validUntil, null, false, false, 1), newVersion: false);
    }

    /// <summary>
    /// Checks the event on its own (type known, required fields present, fields the type does not use
    /// absent, dates not in the past/future as the type requires). Null when well-formed. The API can call
    /// this at the edge; <see cref="Apply"/> calls it first.
    /// </summary>
    public static LifecycleRejection? Validate(LifecycleEvent e, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(e);

        if (string.IsNullOrWhiteSpace(e.Type))
        {
            return Invalid("type", "type is required; one of: " + string.Join(", ", LicenseEventTypes.All) + ".");
        }

        if (!Table.TryGetValue(e.Type, out var row))
        {
            return Invalid("type", $"type '{e.Type}' is not a lifecycle event; one of: " + string.Join(", ", LicenseEventTypes.All) + ".");
        }

        if (e.Reason is { Length: > MaxReasonLength })
        {
            return Invalid("reason", $"reason must be at most {MaxReasonLength} characters.");
        }

        if (row.Required.HasFlag(EventFields.Reason) && string.IsNullOrWhiteSpace(e.Reason))
        {
            return Invalid("reason", $"reason is required for {e.Type}.");
        }

        if (e.Until is { } until)
        {
            if (!row.Fields.HasFlag(EventFields.Until))
            {
                return NotApplicable("until", e.Type);
            }

            if (until < today)
            {
                return Invalid("until", $"until {until:yyyy-MM-dd} is in the past; the suspension's last day must be today or later.");
            }
        }

        if (e.NewValidUntil is { } newEnd)
        {
            if (!row.Fields.HasFlag(EventFields.NewValidUntil))
            {
                return NotApplicable("newValidUntil", e.Type);
            }

            if (newEnd < today)
            {
                return Invalid("newValidUntil", $"newValidUntil {newEnd:yyyy-MM-dd} is in the past.");
            }
        }
        else if (row.Required.HasFlag(EventFields.NewValidUntil))
        {
            return Invalid("newValidUntil", $"newValidUntil is required for {e.Type}.");
        }

        if (e.InspectionResult is not null || e.InspectionDate is not null)
        {
            if (!row.Fields.HasFlag(EventFields.Inspection))
            {
                return NotApplicable(e.InspectionResult is not null ? "inspectionResult" : "inspectionDate", e.Type);
            }
        }

        if (row.Required.HasFlag(EventFields.Inspection))
        {
            if (e.InspectionResult is null)
            {
                return Invalid("inspectionResult", $"inspectionResult is required for {e.Type}; one of: {string.Join(", ", InspectionResults.All)}.");
            }

            if (!InspectionResults.All.Contains(e.InspectionResult, StringComparer.Ordinal))
            {
                return Invalid("inspectionResult", $"inspectionResult '{e.InspectionResult}' is not one of: {string.Join(", ", InspectionResults.All)}.");
            }

            if (e.InspectionDate is not { } date)
            {
                return Invalid("inspectionDate", $"inspectionDate is required for {e.Type}.");
            }

            if (date > today)
            {
                return Invalid("inspectionDate", $"inspectionDate {date:yyyy-MM-dd} is in the future.");
            }
        }

        return null;
    }

    /// <summary>Applies one event on <paramref name="today"/>. Never throws for an expected refusal.</summary>
    public static LifecycleResult Apply(Lifecycle current, LifecycleEvent e, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(e);

        if (Validate(e, today) is { } invalid)
        {
            return LifecycleResult.Reject(invalid);
        }

        var row = Table[e.Type];
        var effective = Effective(current, today);
        if (!row.From.Contains(effective))
        {
            var accepted = row.From.Length == 0 ? "no status" : string.Join(", ", row.From.Select(s => s.ToWireName()));
            return LifecycleResult.Reject(new(
                DomainErrorKind.Conflict,
                LifecycleCodes.InvalidTransition,
                $"A {effective.ToWireName()} licence does not accept {e.Type}; it is accepted only when the licence is {accepted}."));
        }

        var settled = Normalize(current, today);
        if (row.Guard?.Invoke(settled, e) is { } refused)
        {
            return LifecycleResult.Reject(refused);
        }

        return LifecycleResult.Accept(row.Effect(settled, e), row.NewVersion);
    }

    /// <summary>
    /// The status that counts on <paramref name="today"/>: a terminal stored status as is; otherwise expired
    /// after the validity end; otherwise suspended while the suspension lasts; otherwise valid.
    /// </summary>
    public static LicenseStatus Effective(Lifecycle lifecycle, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);

        if (lifecycle.Status.IsTerminal() || lifecycle.Status == LicenseStatus.Expired)
        {
            return lifecycle.Status;
        }

        if (IsPastEnd(lifecycle, today))
        {
            return LicenseStatus.Expired;
        }

        return IsSuspensionInForce(lifecycle, today) ? LicenseStatus.Suspended : LicenseStatus.Valid;
    }

    /// <summary>True when the validity has not started yet (<paramref name="today"/> before <see cref="Lifecycle.ValidFrom"/>). Dates only; see <see cref="Reasons"/>.</summary>
    public static bool IsNotYetValid(Lifecycle lifecycle, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        return today < lifecycle.ValidFrom;
    }

    /// <summary>True when a verifier may rely on the licence today: effective status valid and validity started.</summary>
    public static bool IsInForce(Lifecycle lifecycle, DateOnly today) =>
        Effective(lifecycle, today) == LicenseStatus.Valid && !IsNotYetValid(lifecycle, today);

    /// <summary>
    /// Why the licence is not in force today, for verification; empty when it is. A terminal status gives
    /// its own name only (<c>revoked</c>, <c>withdrawn</c>, <c>cancelled</c>, <c>transferred</c>,
    /// <c>abolished</c>). Otherwise, in this order: <c>expired</c>, <c>suspended</c>, <c>not-yet-valid</c>.
    /// </summary>
    public static IReadOnlyList<string> Reasons(Lifecycle lifecycle, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);

        if (lifecycle.Status.IsTerminal())
        {
            return [lifecycle.Status.ToWireName()];
        }

        var reasons = new List<string>(2);
        if (lifecycle.Status == LicenseStatus.Expired || IsPastEnd(lifecycle, today))
        {
            reasons.Add(LicenseStatus.Expired.ToWireName());
        }

        if (IsSuspensionInForce(lifecycle, today))
        {
            reasons.Add(LicenseStatus.Suspended.ToWireName());
        }

        if (IsNotYetValid(lifecycle, today))
        {
            reasons.Add(NotYetValid);
        }

        return reasons;
    }

    /// <summary>
    /// The lifecycle with what the clock has settled written down: a suspension whose last day has passed
    /// becomes valid (its reason cleared). Expiry is not stored (an extension may still move the end).
    /// <see cref="Apply"/> starts from this; a grain may also store it on read.
    /// </summary>
    public static Lifecycle Normalize(Lifecycle lifecycle, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        return lifecycle.Status == LicenseStatus.Suspended && lifecycle.SuspendedUntil < today
            ? lifecycle with { Status = LicenseStatus.Valid, SuspendedUntil = null, StatusReason = null }
            : lifecycle;
    }

    private static bool IsPastEnd(Lifecycle lifecycle, DateOnly today) => lifecycle.ValidUntil < today;

    private static bool IsSuspensionInForce(Lifecycle lifecycle, DateOnly today) =>
        lifecycle.Status == LicenseStatus.Suspended && !(lifecycle.SuspendedUntil < today);

    private static Lifecycle Terminate(Lifecycle lifecycle, LicenseStatus status, LifecycleEvent e) =>
        lifecycle with { Status = status, SuspendedUntil = null, StatusReason = Clean(e.Reason) };

    private static string? Clean(string? reason) => string.IsNullOrWhiteSpace(reason) ? null : reason.Trim();

    private static LifecycleRejection? NextVersionGuard(Lifecycle lifecycle) => lifecycle.VersionNumber >= MaxVersion
        ? Conflict(LifecycleCodes.VersionLimit, $"The licence is at version {MaxVersion:D3}, the last one an identifier can carry; issue a new licence.")
        : null;

    private static LifecycleRejection Invalid(string field, string message) =>
        new(DomainErrorKind.Invalid, LifecycleCodes.InvalidEvent, message, field);

    private static LifecycleRejection NotApplicable(string field, string type) =>
        Invalid(field, $"{field} does not apply to {type}.");

    private static LifecycleRejection Conflict(string code, string message) =>
        new(DomainErrorKind.Conflict, code, message);

    /// <summary>Request fields beyond <c>type</c> and <c>reason</c> (reason is allowed with every type).</summary>
    [Flags]
    private enum EventFields
    {
        None = 0,
        Reason = 1,
        Until = 2,
        NewValidUntil = 4,
        Inspection = 8,
    }

    /// <summary>One row of the table.</summary>
    /// <param name="From">Effective statuses that accept the event.</param>
    /// <param name="Fields">Fields the event may carry (beyond type and reason).</param>
    /// <param name="Required">Fields the event must carry.</param>
    /// <param name="Guard">State checks beyond the status (annotations, dates against the licence, version limit).</param>
    /// <param name="Effect">The new lifecycle, from the normalized one.</param>
    /// <param name="NewVersion">Whether an accepted event makes a new version.</param>
    private sealed record Transition(
        LicenseStatus[] From,
        EventFields Fields,
        EventFields Required,
        Func<Lifecycle, LifecycleEvent, LifecycleRejection?>? Guard,
        Func<Lifecycle, LifecycleEvent, Lifecycle> Effect,
        bool NewVersion = false);
}
