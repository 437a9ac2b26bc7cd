using System.Collections.Frozen;
using OrleansLicenses.Errors;

namespace OrleansLicenses.Licenses;

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
/// <c>not-yet-valid</c>; It accepts the same events as a valid licence.</para>
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
    /// absent, dates not in the past/future as the type requires): every bad field, empty when well-formed.
    /// <see cref="Apply"/> calls it first.
    /// </summary>
    public static IReadOnlyList<LifecycleRejection> Validate(LifecycleEvent e, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(e);

        if (string.IsNullOrWhiteSpace(e.Type))
        {
            return [Invalid("type", "type is required; one of: " + string.Join(", ", LicenseEventTypes.All) + ".")];
        }

        if (!Table.TryGetValue(e.Type, out var row))
        {
            return [Invalid("type", $"type '{e.Type}' is not a lifecycle event; one of: " + string.Join(", ", LicenseEventTypes.All) + ".")];
        }

        var errors = new List<LifecycleRejection>();
        if (e.Reason is { Length: > LifecycleEvent.MaxReasonLength })
        {
            errors.Add(Invalid("reason", $"reason must be at most {LifecycleEvent.MaxReasonLength} characters."));
        }
        else if (row.Required.HasFlag(EventFields.Reason) && string.IsNullOrWhiteSpace(e.Reason))
        {
            errors.Add(Invalid("reason", $"reason is required for {e.Type}."));
        }

        if (e.Until is { } until)
        {
            if (!row.Fields.HasFlag(EventFields.Until))
            {
                errors.Add(NotApplicable("until", e.Type));
            }
            else if (until < today)
            {
                errors.Add(Invalid("until", $"until {until:yyyy-MM-dd} is in the past; the suspension's last day must be today or later."));
            }
        }

        if (e.NewValidUntil is { } newEnd)
        {
            if (!row.Fields.HasFlag(EventFields.NewValidUntil))
            {
                errors.Add(NotApplicable("newValidUntil", e.Type));
            }
            else if (newEnd < today)
            {
                errors.Add(Invalid("newValidUntil", $"newValidUntil {newEnd:yyyy-MM-dd} is in the past."));
            }
        }
        else if (row.Required.HasFlag(EventFields.NewValidUntil))
        {
            errors.Add(Invalid("newValidUntil", $"newValidUntil is required for {e.Type}."));
        }

        if (!row.Fields.HasFlag(EventFields.Inspection))
        {
            if (e.InspectionResult is not null)
            {
                errors.Add(NotApplicable("inspectionResult", e.Type));
            }

            if (e.InspectionDate is not null)
            {
                errors.Add(NotApplicable("inspectionDate", e.Type));
            }
        }
        else if (row.Required.HasFlag(EventFields.Inspection))
        {
            if (e.InspectionResult is null)
            {
                errors.Add(Invalid("inspectionResult", $"inspectionResult is required for {e.Type}; one of: {string.Join(", ", InspectionResults.All)}."));
            }
            else if (!InspectionResults.All.Contains(e.InspectionResult, StringComparer.Ordinal))
            {
                errors.Add(Invalid("inspectionResult", $"inspectionResult '{e.InspectionResult}' is not one of: {string.Join(", ", InspectionResults.All)}."));
            }

            if (e.InspectionDate is not { } date)
            {
                errors.Add(Invalid("inspectionDate", $"inspectionDate is required for {e.Type}."));
            }
            else if (date > today)
            {
                errors.Add(Invalid("inspectionDate", $"inspectionDate {date:yyyy-MM-dd} is in the future."));
            }
        }

        return errors;
    }

    /// <summary>Applies one event on <paramref name="today"/>. Never throws for an expected refusal.</summary>
    public static LifecycleResult Apply(Lifecycle current, LifecycleEvent e, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(e);

        if (Validate(e, today) is { Count: > 0 } invalid)
        {
            return LifecycleResult.Reject(invalid);
        }

        var row = Table[e.Type];
        var effective = Effective(current, today);
        if (!row.From.Contains(effective))
        {
            var accepted = row.From.Length == 0 ? "no status" : string.Join(", ", row.From.Select(s => s.ToWireName()));
            return LifecycleResult.Reject(new LifecycleRejection(
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
        return EffectiveStatus(lifecycle.Status, lifecycle.ValidUntil, lifecycle.SuspendedUntil, today);
    }

    /// <summary>
    /// The effective-status rule itself, over the stored status and the two end dates (inclusive). The read model
    /// has the same rule in SQL, <c>license_effective_status</c> (deploy/sql/0016_effective_status.sql); a test
    /// compares the two over every combination.
    /// </summary>
    public static LicenseStatus EffectiveStatus(LicenseStatus stored, DateOnly? validUntil, DateOnly? suspendedUntil, DateOnly today)
    {
        if (stored.IsTerminal() || stored == LicenseStatus.Expired)
        {
            return stored;
        }

        if (IsPastEnd(validUntil, today))
        {
            return LicenseStatus.Expired;
        }

        return IsSuspensionInForce(stored, suspendedUntil, today) ? LicenseStatus.Suspended : LicenseStatus.Valid;
    }

    /// <summary>True when the validity has not started yet (<paramref name="today"/> before <see cref="Lifecycle.ValidFrom"/>). Dates only; see <see cref="Reasons"/>.</summary>
    public static bool IsNotYetValid(Lifecycle lifecycle, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        return today < lifecycle.ValidFrom;
    }

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
        if (lifecycle.Status == LicenseStatus.Expired || IsPastEnd(lifecycle.ValidUntil, today))
        {
            reasons.Add(LicenseStatus.Expired.ToWireName());
        }

        if (IsSuspensionInForce(lifecycle.Status, lifecycle.SuspendedUntil, today))
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

    // Both ends are inclusive: the day after the last day is the first on which they no longer hold.
    private static bool IsPastEnd(DateOnly? validUntil, DateOnly today) => validUntil < today;

    private static bool IsSuspensionInForce(LicenseStatus status, DateOnly? suspendedUntil, DateOnly today) =>
        status == LicenseStatus.Suspended && !(suspendedUntil < today);

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
