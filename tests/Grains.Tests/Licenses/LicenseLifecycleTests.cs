using System.Collections.Concurrent;
using CsCheck;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using OrleansLicenses.Errors;
using OrleansLicenses.Licenses;
using Xunit;
using Xunit.Abstractions;

namespace OrleansLicenses.Tests.Licenses;

public sealed class LicenseLifecycleTests(ITestOutputHelper output)
{
    private static readonly DateOnly Today = TestCalendar.Today;

    /// <summary>Valid from a year ago to a year ahead, version 001, no annotations.</summary>
    private static Lifecycle Live(LicenseStatus status = LicenseStatus.Valid) =>
        new(status, Today.AddYears(-1), Today.AddYears(1), null, Mortgaged: false, Pledged: false, VersionNumber: 1);

    private static LifecycleEvent Event(string type) => new(type);

    private static Lifecycle Accepted(LifecycleResult result)
    {
        Assert.True(result.Accepted, result.ToString());
        return result.Lifecycle;
    }

    private static LifecycleRejection Rejected(LifecycleResult result, DomainErrorKind kind, string code, string? field = null)
    {
        Assert.True(result.Rejected, result.ToString());
        Assert.Equal(kind, result.Rejection.Kind);
        Assert.Equal(code, result.Rejection.Code);
        if (field is not null)
        {
            Assert.Equal(field, result.Rejection.Field);
        }

        Assert.False(string.IsNullOrWhiteSpace(result.Rejection.Message));
        Assert.Null(result.Lifecycle);
        return result.Rejection;
    }

    // ── national codes and names ─────────────────────────────────────────────────────────────────

    [Theory]
    [InlineData(LicenseStatus.Valid, "01", "valid")]
    [InlineData(LicenseStatus.Suspended, "02", "suspended")]
    [InlineData(LicenseStatus.Withdrawn, "03", "withdrawn")]
    [InlineData(LicenseStatus.Cancelled, "04", "cancelled")]
    [InlineData(LicenseStatus.Expired, "05", "expired")]
    [InlineData(LicenseStatus.Transferred, "06", "transferred")]
    [InlineData(LicenseStatus.Revoked, "07", "revoked")]
    [InlineData(LicenseStatus.Abolished, "99", "abolished")]
    public void Status_MapsToNationalCodeAndWireName_BothWays(LicenseStatus status, string code, string name)
    {
        Assert.Equal(code, status.ToNationalCode());
        Assert.Equal(name, status.ToWireName());
        Assert.True(LicenseStatusCodes.TryFromWireName(name, out var byName));
        Assert.Equal(status, byName);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Valid")]
    [InlineData("VALID")]
    [InlineData("superseded")]
    public void TryFromWireName_IsExactAndLowerCase(string? name) =>
        Assert.False(LicenseStatusCodes.TryFromWireName(name, out _));

    [Fact]
    public void Statuses_AreEightWithDistinctCodesAndNames_AndTerminalOnesAreTheFive()
    {
        Assert.Equal(8, LicenseStatusCodes.All.Count);
        Assert.Equal(8, LicenseStatusCodes.All.Select(s => s.ToNationalCode()).Distinct().Count());
        Assert.Equal(8, LicenseStatusCodes.All.Select(s => s.ToWireName()).Distinct().Count());
        Assert.Equal(Enum.GetValues<LicenseStatus>().Order(), LicenseStatusCodes.All.Order());
        Assert.Equal(
            ["withdrawn", "cancelled", "transferred", "revoked", "abolished"],
            LicenseStatusCodes.All.Where(s => s.IsTerminal()).Select(s => s.ToWireName()));
    }

    [Fact]
    public void EventTypes_AreTheIssueVocabulary_AndEveryOneHasATableRow()
    {
        Assert.Equal(
            ["suspend", "reinstate", "revoke", "cancel", "withdraw", "abolish", "annual-inspection", "extend",
             "mortgage", "release-mortgage", "pledge", "release-pledge", "transfer-out", "change"],
            LicenseEventTypes.All);
        Assert.DoesNotContain(LicenseEventTypes.Change, LicenseEventTypes.StatusEvents);
        Assert.Equal(LicenseEventTypes.All.Count - 1, LicenseEventTypes.StatusEvents.Count);
        // Every event type has a row: none is refused as unknown.
        Assert.All(LicenseEventTypes.All, type => Assert.Empty(LicenseLifecycle.Validate(WellFormed(type), Today)));
        Assert.True(LicenseEventTypes.IsKnown("transfer-out"));
        Assert.False(LicenseEventTypes.IsKnown("Transfer-Out"));
        Assert.False(LicenseEventTypes.IsKnown(null));
    }

    // ── the table, written out a second time as the spec ─────────────────────────────────────────

    /// <summary>Which effective statuses accept each event: the rules of issue #4 as decided, independent of the code's table.</summary>
    private static readonly Dictionary<string, string[]> ExpectedAcceptedFrom = new(StringComparer.Ordinal)
    {
        ["suspend"] = ["valid"],
        ["reinstate"] = ["suspended"],
        ["revoke"] = ["valid", "suspended"],
        ["withdraw"] = ["valid", "suspended", "expired"],
        ["cancel"] = ["valid", "suspended", "expired"],
        ["abolish"] = ["valid", "suspended", "expired"],
        ["annual-inspection"] = ["valid", "suspended"],
        ["extend"] = ["valid", "suspended", "expired"],
        ["mortgage"] = ["valid", "suspended"],
        ["release-mortgage"] = ["valid", "suspended", "expired"],
        ["pledge"] = ["valid", "suspended"],
        ["release-pledge"] = ["valid", "suspended", "expired"],
        ["transfer-out"] = ["valid"],
        ["change"] = ["valid", "suspended"],
    };

    public static TheoryData<string, LicenseStatus> EveryEventFromEveryStatus()
    {
        var data = new TheoryData<string, LicenseStatus>();
        foreach (var type in LicenseEventTypes.All)
        {
            foreach (var status in LicenseStatusCodes.All)
            {
                data.Add(type, status);
            }
        }

        return data;
    }

    /// <summary>A lifecycle whose effective status today is <paramref name="status"/>, set up so the event's own guard passes.</summary>
    private static Lifecycle ReadingAs(LicenseStatus status, string type)
    {
        var lifecycle = status == LicenseStatus.Expired
            ? Live() with { ValidUntil = Today.AddDays(-1) } // expired by the clock, not by a stored status
            : Live(status);
        return lifecycle with
        {
            Mortgaged = type == LicenseEventTypes.ReleaseMortgage,
            Pledged = type == LicenseEventTypes.ReleasePledge,
        };
    }

    /// <summary>A well-formed event of the type.</summary>
    private static LifecycleEvent WellFormed(string type) => type switch
    {
        LicenseEventTypes.Abolish => new(type, Reason: "依据新法规废止"),
        LicenseEventTypes.Extend => new(type, NewValidUntil: Today.AddYears(5)),
        LicenseEventTypes.AnnualInspection => new(type, InspectionResult: InspectionResults.Passed, InspectionDate: Today),
        LicenseEventTypes.Suspend => new(type, Reason: "责令停业整顿", Until: Today.AddDays(30)),
        _ => new(type),
    };

    [Theory]
    [MemberData(nameof(EveryEventFromEveryStatus))]
    public void Apply_AcceptsEachEventOnlyFromTheStatusesOfTheTable(string type, LicenseStatus status)
    {
        var lifecycle = ReadingAs(status, type);
        Assert.Equal(status, LicenseLifecycle.Effective(lifecycle, Today));

        var result = LicenseLifecycle.Apply(lifecycle, WellFormed(type), Today);

        var expected = ExpectedAcceptedFrom[type].Contains(status.ToWireName());
        if (expected)
        {
            Accepted(result);
        }
        else
        {
            var rejection = Rejected(result, DomainErrorKind.Conflict, LifecycleCodes.InvalidTransition);
            Assert.Contains(type, rejection.Message, StringComparison.Ordinal);
            Assert.Contains(status.ToWireName(), rejection.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(LicenseStatus.Revoked, "reinstate")] // DESIGN §4 examples of a 409
    [InlineData(LicenseStatus.Cancelled, "suspend")]
    public void Apply_DesignExamplesOfInvalidTransitions_AreConflicts(LicenseStatus status, string type) =>
        Rejected(LicenseLifecycle.Apply(Live(status), Event(type), Today), DomainErrorKind.Conflict, LifecycleCodes.InvalidTransition);

    // ── status events ────────────────────────────────────────────────────────────────────────────

    [Fact]
    public void Suspend_WithUntil_IsSuspendedThroughThatDayAndValidFromTheNext()
    {
        var until = Today.AddDays(10);
        var suspended = Accepted(LicenseLifecycle.Apply(Live(), new(LicenseEventTypes.Suspend, "责令停业整顿", until), Today));

        Assert.Equal(LicenseStatus.Suspended, suspended.Status);
        Assert.Equal(until, suspended.SuspendedUntil);
        Assert.Equal("责令停业整顿", suspended.StatusReason);
        Assert.Equal(LicenseStatus.Suspended, LicenseLifecycle.Effective(suspended, Today));
        Assert.Equal(LicenseStatus.Suspended, LicenseLifecycle.Effective(suspended, until));
        Assert.Equal(["suspended"], LicenseLifecycle.Reasons(suspended, until));
        Assert.False(InForce(suspended, until));

        var dayAfter = until.AddDays(1);
        Assert.Equal(LicenseStatus.Valid, LicenseLifecycle.Effective(suspended, dayAfter));
        Assert.Empty(LicenseLifecycle.Reasons(suspended, dayAfter));
        Assert.True(InForce(suspended, dayAfter));
        Assert.Equal(
            suspended with { Status = LicenseStatus.Valid, SuspendedUntil = null, StatusReason = null },
            LicenseLifecycle.Normalize(suspended, dayAfter));
        Assert.Same(suspended, LicenseLifecycle.Normalize(suspended, until));
    }

    [Fact]
    public void Suspend_UntilToday_IsAcceptedAsAOneDaySuspension()
    {
        var suspended = Accepted(LicenseLifecycle.Apply(Live(), new(LicenseEventTypes.Suspend, Until: Today), Today));
        Assert.Equal(LicenseStatus.Suspended, LicenseLifecycle.Effective(suspended, Today));
        Assert.Equal(LicenseStatus.Valid, LicenseLifecycle.Effective(suspended, Today.AddDays(1)));
    }

    [Fact]
    public void Suspend_WithoutUntil_LastsUntilReinstated()
    {
        var suspended = Accepted(LicenseLifecycle.Apply(Live(), Event(LicenseEventTypes.Suspend), Today));
        Assert.Null(suspended.SuspendedUntil);
        Assert.Equal(LicenseStatus.Suspended, LicenseLifecycle.Effective(suspended, Today.AddDays(300)));

        var reinstated = Accepted(LicenseLifecycle.Apply(suspended, Event(LicenseEventTypes.Reinstate), Today.AddDays(30)));
        Assert.Equal(LicenseStatus.Valid, reinstated.Status);
        Assert.Null(reinstated.SuspendedUntil);
        Assert.Null(reinstated.StatusReason);
        Assert.True(InForce(reinstated, Today.AddDays(30)));
    }

    [Fact]
    public void Suspend_WithUntilInThePast_IsInvalid() =>
        Rejected(LicenseLifecycle.Apply(Live(), new(LicenseEventTypes.Suspend, Until: Today.AddDays(-1)), Today), DomainErrorKind.Invalid, LifecycleCodes.InvalidEvent, "until");

    [Fact]
    public void Suspend_WhenAlreadySuspended_IsConflict()
    {
        var suspended = Live(LicenseStatus.Suspended);
        Rejected(LicenseLifecycle.Apply(suspended, new(LicenseEventTypes.Suspend, Until: Today.AddDays(5)), Today), DomainErrorKind.Conflict, LifecycleCodes.InvalidTransition);
    }

    [Fact]
    public void Suspend_AfterAPreviousSuspensionEndedByItself_IsAccepted()
    {
        var lapsed = Live(LicenseStatus.Suspended) with { SuspendedUntil = Today.AddDays(-1), StatusReason = "old" };
        var again = Accepted(LicenseLifecycle.Apply(lapsed, new(LicenseEventTypes.Suspend, "new", Today.AddDays(7)), Today));
        Assert.Equal(Today.AddDays(7), again.SuspendedUntil);
        Assert.Equal("new", again.StatusReason);
    }

    [Fact]
    public void Reinstate_WhenTheSuspensionAlreadyEndedByItself_IsConflict()
    {
        var lapsed = Live(LicenseStatus.Suspended) with { SuspendedUntil = Today.AddDays(-1) };
        Assert.Equal(LicenseStatus.Valid, LicenseLifecycle.Effective(lapsed, Today));
        Rejected(LicenseLifecycle.Apply(lapsed, Event(LicenseEventTypes.Reinstate), Today), DomainErrorKind.Conflict, LifecycleCodes.InvalidTransition);
    }

    [Fact]
    public void AnyAcceptedEvent_AfterASuspensionEndedByItself_StoresItAsEnded()
    {
        var lapsed = Live(LicenseStatus.Suspended) with { SuspendedUntil = Today.AddDays(-1), StatusReason = "整顿" };
        var mortgaged = Accepted(LicenseLifecycle.Apply(lapsed, Event(LicenseEventTypes.Mortgage), Today));
        Assert.Equal(LicenseStatus.Valid, mortgaged.Status);
        Assert.Null(mortgaged.SuspendedUntil);
        Assert.Null(mortgaged.StatusReason);
    }

    [Theory]
    [InlineData("revoke", LicenseStatus.Revoked)]
    [InlineData("withdraw", LicenseStatus.Withdrawn)]
    [InlineData("cancel", LicenseStatus.Cancelled)]
    [InlineData("abolish", LicenseStatus.Abolished)]
    [InlineData("transfer-out", LicenseStatus.Transferred)]
    public void TerminalEvent_EndsTheLicence_KeepsTheReason_AndThenNothingIsAccepted(string type, LicenseStatus terminal)
    {
        var ended = Accepted(LicenseLifecycle.Apply(Live(), new(type, Reason: "  依法处理  "), Today));

        Assert.Equal(terminal, ended.Status);
        Assert.True(terminal.IsTerminal());
        Assert.Equal("依法处理", ended.StatusReason);
        Assert.Equal([terminal.ToWireName()], LicenseLifecycle.Reasons(ended, Today));
        Assert.Equal(terminal, LicenseLifecycle.Effective(ended, Today.AddYears(10))); // terminal wins over expiry
        foreach (var next in LicenseEventTypes.All)
        {
            Rejected(LicenseLifecycle.Apply(ended, WellFormed(next), Today), DomainErrorKind.Conflict, LifecycleCodes.InvalidTransition);
        }
    }

    [Fact]
    public void Revoke_OfASuspendedLicence_EndsTheSuspensionRecord()
    {
        var suspended = Live(LicenseStatus.Suspended) with { SuspendedUntil = Today.AddDays(9) };
        var revoked = Accepted(LicenseLifecycle.Apply(suspended, Event(LicenseEventTypes.Revoke), Today));
        Assert.Equal(LicenseStatus.Revoked, revoked.Status);
        Assert.Null(revoked.SuspendedUntil);
        Assert.Equal("07", LicenseLifecycle.Effective(revoked, Today).ToNationalCode());
    }

    [Fact]
    public void Revoke_OfAnExpiredLicence_IsConflict_ButCancelIsAccepted()
    {
        var expired = Live() with { ValidUntil = Today.AddDays(-1) };
        Rejected(LicenseLifecycle.Apply(expired, Event(LicenseEventTypes.Revoke), Today), DomainErrorKind.Conflict, LifecycleCodes.InvalidTransition);
        Assert.Equal(LicenseStatus.Cancelled, Accepted(LicenseLifecycle.Apply(expired, Event(LicenseEventTypes.Cancel), Today)).Status);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Abolish_WithoutReason_IsInvalid(string? reason) =>
        Rejected(LicenseLifecycle.Apply(Live(), new(LicenseEventTypes.Abolish, reason), Today), DomainErrorKind.Invalid, LifecycleCodes.InvalidEvent, "reason");

    [Fact]
    public void Abolish_WithReason_Is99AndKeepsTheReason()
    {
        var abolished = Accepted(LicenseLifecycle.Apply(Live(), new(LicenseEventTypes.Abolish, "证照类型已取消"), Today));
        Assert.Equal("99", abolished.Status.ToNationalCode());
        Assert.Equal("证照类型已取消", abolished.StatusReason);
    }

    [Fact]
    public void Abolish_WithoutReasonOnARevokedLicence_IsInvalidBeforeConflict() =>
        Rejected(LicenseLifecycle.Apply(Live(LicenseStatus.Revoked), Event(LicenseEventTypes.Abolish), Today), DomainErrorKind.Invalid, LifecycleCodes.InvalidEvent, "reason");

    [Fact]
    public void Reason_LongerThanTheLimit_IsInvalid()
    {
        var longest = new string('因', LifecycleEvent.MaxReasonLength);
        Accepted(LicenseLifecycle.Apply(Live(), new(LicenseEventTypes.Revoke, longest), Today));
        Rejected(LicenseLifecycle.Apply(Live(), new(LicenseEventTypes.Revoke, longest + "x"), Today), DomainErrorKind.Invalid, LifecycleCodes.InvalidEvent, "reason");
    }

    // ── request shape ────────────────────────────────────────────────────────────────────────────

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("renew")]
    [InlineData("Suspend")]
    [InlineData("transfer_out")]
    public void Apply_UnknownType_IsInvalidOnField_type(string type) =>
        Rejected(LicenseLifecycle.Apply(Live(), Event(type), Today), DomainErrorKind.Invalid, LifecycleCodes.InvalidEvent, "type");

    [Theory]
    [InlineData("revoke", "until")]
    [InlineData("suspend", "newValidUntil")]
    [InlineData("extend", "until")]
    [InlineData("mortgage", "inspectionResult")]
    [InlineData("change", "inspectionDate")]
    public void Apply_FieldThatTheTypeDoesNotUse_IsInvalidOnThatField(string type, string field)
    {
        var e = WellFormed(type) with
        {
            Until = field == "until" ? Today.AddDays(1) : WellFormed(type).Until,
            NewValidUntil = field == "newValidUntil" ? Today.AddYears(9) : WellFormed(type).NewValidUntil,
            InspectionResult = field == "inspectionResult" ? InspectionResults.Passed : null,
            InspectionDate = field == "inspectionDate" ? Today : null,
        };
        var rejection = Rejected(LicenseLifecycle.Apply(Live(), e, Today), DomainErrorKind.Invalid, LifecycleCodes.InvalidEvent, field);
        Assert.Equal([rejection], LicenseLifecycle.Validate(e, Today));
    }

    [Fact]
    public void Validate_NamesEveryBadFieldOfOneEvent()
    {
        var e = new LifecycleEvent(LicenseEventTypes.AnnualInspection, new string('x', LifecycleEvent.MaxReasonLength + 1),
            Until: Today, InspectionResult: "maybe", InspectionDate: Today.AddDays(1));
        var rejections = LicenseLifecycle.Validate(e, Today);
        Assert.Equal(["reason", "until", "inspectionResult", "inspectionDate"], rejections.Select(r => r.Field));
        Assert.All(rejections, r => Assert.Equal(DomainErrorKind.Invalid, r.Kind));

        var thrown = Assert.Throws<DomainException>(() => LicenseLifecycle.Apply(Live(), e, Today).GetOrThrow());
        Assert.Equal(LifecycleCodes.InvalidEvent, thrown.Code);
        Assert.Equal(["reason", "until", "inspectionResult", "inspectionDate"], thrown.Errors.Select(f => f.Field));
    }

    [Fact]
    public void Validate_WellFormedEvents_AreEmpty()
    {
        foreach (var type in LicenseEventTypes.All)
        {
            Assert.Empty(LicenseLifecycle.Validate(WellFormed(type), Today));
        }
    }

    // ── annual inspection ────────────────────────────────────────────────────────────────────────

    [Theory]
    [InlineData(InspectionResults.Passed)]
    [InlineData(InspectionResults.Failed)]
    public void AnnualInspection_IsRecorded_AndNeverChangesTheStatus(string result)
    {
        var date = Today.AddDays(-3);
        var inspected = Accepted(LicenseLifecycle.Apply(Live(), new(LicenseEventTypes.AnnualInspection, InspectionResult: result, InspectionDate: date), Today));
        Assert.Equal(date, inspected.LastInspectionDate);
        Assert.Equal(result, inspected.LastInspectionResult);
        Assert.Equal(LicenseStatus.Valid, inspected.Status);
        Assert.True(InForce(inspected, Today));
        Assert.Equal(1, inspected.VersionNumber);
    }

    [Fact]
    public void AnnualInspection_WhileSuspended_IsAccepted_AndTheSuspensionStays()
    {
        var suspended = Live(LicenseStatus.Suspended);
        var inspected = Accepted(LicenseLifecycle.Apply(suspended, WellFormed(LicenseEventTypes.AnnualInspection), Today));
        Assert.Equal(LicenseStatus.Suspended, LicenseLifecycle.Effective(inspected, Today));
    }

    [Fact]
    public void AnnualInspection_OlderThanTheLatest_IsAcceptedButKeepsTheLatest()
    {
        var latest = Live() with { LastInspectionDate = Today.AddDays(-10), LastInspectionResult = InspectionResults.Passed };
        var after = Accepted(LicenseLifecycle.Apply(latest, new(LicenseEventTypes.AnnualInspection, InspectionResult: InspectionResults.Failed, InspectionDate: Today.AddDays(-40)), Today));
        Assert.Equal(latest, after);

        var sameDay = Accepted(LicenseLifecycle.Apply(latest, new(LicenseEventTypes.AnnualInspection, InspectionResult: InspectionResults.Failed, InspectionDate: Today.AddDays(-10)), Today));
        Assert.Equal(InspectionResults.Failed, sameDay.LastInspectionResult);
    }

    [Theory]
    [InlineData(null, 0, "inspectionResult")]
    [InlineData("qualified", 0, "inspectionResult")]
    [InlineData("Passed", 0, "inspectionResult")]
    [InlineData("passed", null, "inspectionDate")]
    [InlineData("passed", 1, "inspectionDate")] // in the future
    [InlineData("passed", -400, "inspectionDate")] // before ValidFrom (a year ago)
    public void AnnualInspection_WithBadFields_IsInvalid(string? result, int? daysFromToday, string field)
    {
        var e = new LifecycleEvent(LicenseEventTypes.AnnualInspection, InspectionResult: result, InspectionDate: daysFromToday is { } d ? Today.AddDays(d) : null);
        Rejected(LicenseLifecycle.Apply(Live(), e, Today), DomainErrorKind.Invalid, LifecycleCodes.InvalidEvent, field);
    }

    // ── extend ───────────────────────────────────────────────────────────────────────────────────

    [Fact]
    public void Extend_MovesTheEnd_AndMakesANewVersion()
    {
        var result = LicenseLifecycle.Apply(Live(), new(LicenseEventTypes.Extend, NewValidUntil: Today.AddYears(6)), Today);
        var extended = Accepted(result);
        Assert.True(result.NewVersion);
        Assert.Equal(2, extended.VersionNumber);
        Assert.Equal(Today.AddYears(6), extended.ValidUntil);
        Assert.Equal(LicenseStatus.Valid, extended.Status);
    }

    [Fact]
    public void Extend_OfAnExpiredLicence_MakesItValidAgain()
    {
        var expired = Live() with { ValidUntil = Today.AddDays(-30) };
        Assert.Equal(LicenseStatus.Expired, LicenseLifecycle.Effective(expired, Today));
        var extended = Accepted(LicenseLifecycle.Apply(expired, new(LicenseEventTypes.Extend, NewValidUntil: Today), Today));
        Assert.Equal(LicenseStatus.Valid, LicenseLifecycle.Effective(extended, Today));
        Assert.Equal(LicenseStatus.Expired, LicenseLifecycle.Effective(extended, Today.AddDays(1)));
    }

    [Fact]
    public void Extend_OfAStoredExpiredLegacyLicence_StoresValid()
    {
        var legacy = Live(LicenseStatus.Expired);
        Assert.Equal(LicenseStatus.Expired, LicenseLifecycle.Effective(legacy, Today)); // stored expired reads expired even before its end
        var extended = Accepted(LicenseLifecycle.Apply(legacy, new(LicenseEventTypes.Extend, NewValidUntil: Today.AddYears(3)), Today));
        Assert.Equal(LicenseStatus.Valid, extended.Status);
        Assert.True(InForce(extended, Today));
    }

    [Fact]
    public void Extend_OfASuspendedExpiredLicence_DoesNotLiftTheSuspension()
    {
        var suspendedAndExpired = Live(LicenseStatus.Suspended) with { ValidUntil = Today.AddDays(-1) };
        Assert.Equal(LicenseStatus.Expired, LicenseLifecycle.Effective(suspendedAndExpired, Today));
        Assert.Equal(["expired", "suspended"], LicenseLifecycle.Reasons(suspendedAndExpired, Today));

        var extended = Accepted(LicenseLifecycle.Apply(suspendedAndExpired, new(LicenseEventTypes.Extend, NewValidUntil: Today.AddYears(1)), Today));
        Assert.Equal(LicenseStatus.Suspended, LicenseLifecycle.Effective(extended, Today));
    }

    [Fact]
    public void Extend_OfALongTermLicence_IsConflict() =>
        Rejected(LicenseLifecycle.Apply(Live() with { ValidUntil = null }, new(LicenseEventTypes.Extend, NewValidUntil: Today.AddYears(9)), Today), DomainErrorKind.Conflict, LifecycleCodes.LongTerm);

    [Theory]
    [InlineData(null)] // missing
    [InlineData(0)] // same end
    [InlineData(-1)] // earlier end
    public void Extend_WithoutALaterEnd_IsInvalid(int? daysAfterCurrentEnd)
    {
        var lifecycle = Live();
        var e = new LifecycleEvent(LicenseEventTypes.Extend, NewValidUntil: daysAfterCurrentEnd is { } d ? lifecycle.ValidUntil!.Value.AddDays(d) : null);
        Rejected(LicenseLifecycle.Apply(lifecycle, e, Today), DomainErrorKind.Invalid, LifecycleCodes.InvalidEvent, "newValidUntil");
    }

    [Fact]
    public void Extend_ToADateStillInThePast_IsInvalid()
    {
        var longExpired = Live() with { ValidFrom = Today.AddYears(-5), ValidUntil = Today.AddYears(-2) };
        Rejected(LicenseLifecycle.Apply(longExpired, new(LicenseEventTypes.Extend, NewValidUntil: Today.AddDays(-1)), Today), DomainErrorKind.Invalid, LifecycleCodes.InvalidEvent, "newValidUntil");
    }

    // ── change and versions ──────────────────────────────────────────────────────────────────────

    [Fact]
    public void Change_MakesANewVersion_AndKeepsTheSuspension()
    {
        var suspended = Live(LicenseStatus.Suspended) with { SuspendedUntil = Today.AddDays(5), StatusReason = "整顿" };
        var result = LicenseLifecycle.Apply(suspended, Event(LicenseEventTypes.Change), Today);
        var changed = Accepted(result);
        Assert.True(result.NewVersion);
        Assert.Equal(suspended with { VersionNumber = 2 }, changed);
    }

    [Fact]
    public void Change_OfAnExpiredLicence_IsConflict() =>
        Rejected(LicenseLifecycle.Apply(Live() with { ValidUntil = Today.AddDays(-1) }, Event(LicenseEventTypes.Change), Today), DomainErrorKind.Conflict, LifecycleCodes.InvalidTransition);

    [Theory]
    [InlineData("change")]
    [InlineData("extend")]
    public void NewVersion_PastVersion999_IsConflict(string type)
    {
        var at998 = Accepted(LicenseLifecycle.Apply(Live() with { VersionNumber = 998 }, WellFormed(type), Today));
        Assert.Equal(LicenseLifecycle.MaxVersion, at998.VersionNumber);
        Rejected(LicenseLifecycle.Apply(Live() with { VersionNumber = 999 }, WellFormed(type), Today), DomainErrorKind.Conflict, LifecycleCodes.VersionLimit);
    }

    [Theory]
    [InlineData("suspend")]
    [InlineData("mortgage")]
    [InlineData("annual-inspection")]
    [InlineData("release-pledge")]
    public void OtherEvents_DoNotMakeANewVersion(string type)
    {
        var result = LicenseLifecycle.Apply(ReadingAs(LicenseStatus.Valid, type), WellFormed(type), Today);
        Assert.Equal(1, Accepted(result).VersionNumber);
        Assert.False(result.NewVersion);
    }

    // ── mortgage, pledge, transfer-out ───────────────────────────────────────────────────────────

    [Fact]
    public void Mortgage_ThenRelease_RoundTrips_AndNeitherEndsValidity()
    {
        var mortgaged = Accepted(LicenseLifecycle.Apply(Live(), Event(LicenseEventTypes.Mortgage), Today));
        Assert.True(mortgaged.Mortgaged);
        Assert.True(InForce(mortgaged, Today));
        Assert.Empty(LicenseLifecycle.Reasons(mortgaged, Today));

        var released = Accepted(LicenseLifecycle.Apply(mortgaged, Event(LicenseEventTypes.ReleaseMortgage), Today));
        Assert.Equal(Live(), released);
    }

    [Theory]
    [InlineData("mortgage", true, false, "license.already_mortgaged")]
    [InlineData("release-mortgage", false, false, "license.not_mortgaged")]
    [InlineData("pledge", false, true, "license.already_pledged")]
    [InlineData("release-pledge", false, false, "license.not_pledged")]
    [InlineData("transfer-out", true, false, "license.encumbered")]
    [InlineData("transfer-out", false, true, "license.encumbered")]
    [InlineData("transfer-out", true, true, "license.encumbered")]
    public void Annotations_InTheWrongState_AreConflicts(string type, bool mortgaged, bool pledged, string code) =>
        Rejected(LicenseLifecycle.Apply(Live() with { Mortgaged = mortgaged, Pledged = pledged }, Event(type), Today), DomainErrorKind.Conflict, code);

    [Fact]
    public void MortgageAndPledge_AreIndependent()
    {
        var both = Accepted(LicenseLifecycle.Apply(
            Accepted(LicenseLifecycle.Apply(Live(), Event(LicenseEventTypes.Mortgage), Today)),
            Event(LicenseEventTypes.Pledge),
            Today));
        Assert.True(both.Mortgaged);
        Assert.True(both.Pledged);
        var pledgedOnly = Accepted(LicenseLifecycle.Apply(both, Event(LicenseEventTypes.ReleaseMortgage), Today));
        Assert.False(pledgedOnly.Mortgaged);
        Assert.True(pledgedOnly.Pledged);
    }

    [Fact]
    public void ReleaseMortgage_OfAnExpiredLicence_IsAccepted_ButMortgageIsNot()
    {
        var expired = Live() with { ValidUntil = Today.AddDays(-1), Mortgaged = true };
        Assert.False(Accepted(LicenseLifecycle.Apply(expired, Event(LicenseEventTypes.ReleaseMortgage), Today)).Mortgaged);
        Rejected(LicenseLifecycle.Apply(expired with { Mortgaged = false }, Event(LicenseEventTypes.Mortgage), Today), DomainErrorKind.Conflict, LifecycleCodes.InvalidTransition);
    }

    [Fact]
    public void TransferOut_WhileSuspended_IsConflict_EvenWhenUnencumbered() =>
        Rejected(LicenseLifecycle.Apply(Live(LicenseStatus.Suspended), Event(LicenseEventTypes.TransferOut), Today), DomainErrorKind.Conflict, LifecycleCodes.InvalidTransition);

    [Fact]
    public void Revoke_WhileMortgagedAndPledged_IsAccepted()
    {
        var encumbered = Live() with { Mortgaged = true, Pledged = true };
        Assert.Equal(LicenseStatus.Revoked, Accepted(LicenseLifecycle.Apply(encumbered, Event(LicenseEventTypes.Revoke), Today)).Status);
    }

    // ── expiry and validity on read ──────────────────────────────────────────────────────────────

    [Fact]
    public void Expiry_TheLastDayIsValid_AndTheNextDayIsExpired()
    {
        var validFrom = Today;
        var lastDay = validFrom.AddYears(5).AddDays(-1); // DESIGN §6.1: 5 years
        var lifecycle = Accepted(LicenseLifecycle.Issue(validFrom, lastDay));

        Assert.Equal(LicenseStatus.Valid, LicenseLifecycle.Effective(lifecycle, lastDay));
        Assert.True(InForce(lifecycle, lastDay));
        Assert.Empty(LicenseLifecycle.Reasons(lifecycle, lastDay));

        Assert.Equal(LicenseStatus.Expired, LicenseLifecycle.Effective(lifecycle, lastDay.AddDays(1)));
        Assert.Equal("05", LicenseLifecycle.Effective(lifecycle, lastDay.AddDays(1)).ToNationalCode());
        Assert.False(InForce(lifecycle, lastDay.AddDays(1)));
        Assert.Equal(["expired"], LicenseLifecycle.Reasons(lifecycle, lastDay.AddDays(1)));
        Assert.Equal(LicenseStatus.Valid, lifecycle.Status); // nothing stored: evaluated on read
    }

    [Fact]
    public void NotYetValid_TheDayBeforeValidFrom_IsStatusValidButNotInForce()
    {
        var lifecycle = Accepted(LicenseLifecycle.Issue(Today, Today.AddYears(5).AddDays(-1)));
        var dayBefore = Today.AddDays(-1);

        Assert.Equal(LicenseStatus.Valid, LicenseLifecycle.Effective(lifecycle, dayBefore));
        Assert.True(LicenseLifecycle.IsNotYetValid(lifecycle, dayBefore));
        Assert.False(InForce(lifecycle, dayBefore));
        Assert.Equal(["not-yet-valid"], LicenseLifecycle.Reasons(lifecycle, dayBefore));

        Assert.False(LicenseLifecycle.IsNotYetValid(lifecycle, Today));
        Assert.True(InForce(lifecycle, Today));
        Assert.Empty(LicenseLifecycle.Reasons(lifecycle, Today));
    }

    [Fact]
    public void NotYetValid_AndSuspended_GivesBothReasons()
    {
        var future = Accepted(LicenseLifecycle.Issue(Today.AddDays(10), null));
        var suspended = Accepted(LicenseLifecycle.Apply(future, Event(LicenseEventTypes.Suspend), Today));
        Assert.Equal(["suspended", "not-yet-valid"], LicenseLifecycle.Reasons(suspended, Today));
    }

    [Fact]
    public void LongTerm_NeverExpires()
    {
        var longTerm = Accepted(LicenseLifecycle.Issue(Today, null));
        Assert.True(longTerm.IsLongTerm);
        Assert.Equal(LicenseStatus.Valid, LicenseLifecycle.Effective(longTerm, DateOnly.MaxValue));
    }

    [Fact]
    public void Issue_EndBeforeStart_IsInvalid_AndOneDayLicenceIsFine()
    {
        Rejected(LicenseLifecycle.Issue(Today, Today.AddDays(-1)), DomainErrorKind.Invalid, LifecycleCodes.InvalidEvent, "validUntil");
        var oneDay = Accepted(LicenseLifecycle.Issue(Today, Today));
        Assert.Equal(new Lifecycle(LicenseStatus.Valid, Today, Today, null, false, false, 1), oneDay);
    }

    // ── result type and wire types ───────────────────────────────────────────────────────────────

    [Fact]
    public void GetOrThrow_OnRejection_ThrowsTheDomainExceptionWithKindCodeAndField()
    {
        var result = LicenseLifecycle.Apply(Live(), Event(LicenseEventTypes.Abolish), Today);
        var thrown = Assert.Throws<DomainException>(() => result.GetOrThrow());
        Assert.Equal(DomainErrorKind.Invalid, thrown.Kind);
        Assert.Equal(LifecycleCodes.InvalidEvent, thrown.Code);
        Assert.Equal("reason", thrown.Field);

        var conflict = Assert.Throws<DomainException>(() => LicenseLifecycle.Apply(Live(LicenseStatus.Revoked), Event(LicenseEventTypes.Reinstate), Today).GetOrThrow());
        Assert.Equal(DomainErrorKind.Conflict, conflict.Kind);
        Assert.Equal(LifecycleCodes.InvalidTransition, conflict.Code);

        Assert.Equal(LicenseStatus.Revoked, LicenseLifecycle.Apply(Live(), Event(LicenseEventTypes.Revoke), Today).GetOrThrow().Status);
    }

    [Fact]
    public void WireTypes_RoundTripThroughTheOrleansSerializer()
    {
        using var services = new ServiceCollection()
            .AddSerializer(builder => builder.AddAssembly(typeof(LifecycleEvent).Assembly))
            .BuildServiceProvider();
        var serializer = services.GetRequiredService<Serializer>();

        // Only what crosses the wire: the event a client sends and the refusal it gets back with every bad field.
        // The stored lifecycle (Lifecycle) never leaves the licence grain.
        var e = new LifecycleEvent(LicenseEventTypes.AnnualInspection, "年检", Today, Today.AddYears(1), InspectionResults.Passed, Today);
        var refused = new DomainException(LifecycleCodes.InvalidEvent, [new FieldError("until", "is in the past"), new FieldError("inspectionDate", "is in the future")]);

        Assert.Equal(e, serializer.Deserialize<LifecycleEvent>(serializer.SerializeToArray(e)));
        var copy = serializer.Deserialize<DomainException>(serializer.SerializeToArray(refused))!;
        Assert.Equal((refused.Kind, refused.Code, refused.Field), (copy.Kind, copy.Code, copy.Field));
        Assert.Equal(refused.Errors, copy.Errors);
    }

    // ── model-based property ─────────────────────────────────────────────────────────────────────

    /// <summary>
    /// Thousands of random histories — events of every type, well-formed and not, with the clock moving on
    /// in small and large steps — run against <see cref="LicenseLifecycle"/> and against
    /// <see cref="ModelLicence"/>, an independent model written as if a nightly batch job updated the
    /// status and as explicit if/else per event. After every step the outcome (accepted, new version, or
    /// the rejection's kind and code) and what a reader sees (effective status, reasons, in force, version,
    /// end, annotations, inspection, status reason) must agree.
    /// </summary>
    [Fact]
    public void Apply_AgreesWithAnIndependentModel_OverRandomHistories()
    {
        var outcomes = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);

        LifecycleGens.Initial.SampleModelBased(
            [
                GenOperation.Create<ActualLicence, ModelLicence, EventSpec>(LifecycleGens.Events, spec => spec.ToString(), (a, spec) => a.Apply(spec, outcomes), (m, spec) => m.Apply(spec)),
                GenOperation.Create<ActualLicence, ModelLicence, int>(LifecycleGens.ClockSteps, days => $"advance {days} days", (a, days) => a.Advance(days), (m, days) => m.Advance(days)),
            ],
            equal: (actual, model) => actual.Log.SequenceEqual(model.Log, StringComparer.Ordinal),
            iter: 10_000,
            printActual: a => string.Join(Environment.NewLine, [$"initial {a.Initial}", .. a.Log]),
            printModel: m => string.Join(Environment.NewLine, m.Log));

        foreach (var (key, count) in outcomes.OrderBy(o => o.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"{key}: {count}");
        }

        // The property is only as good as its coverage: every event type must have been accepted and
        // refused for its state many times, and malformed events must have been seen.
        foreach (var type in LicenseEventTypes.All)
        {
            Assert.True(outcomes.GetValueOrDefault($"{type} accepted") >= 50, $"{type} accepted only {outcomes.GetValueOrDefault($"{type} accepted")} times");
            Assert.True(outcomes.GetValueOrDefault($"{type} Conflict") >= 50, $"{type} refused as conflict only {outcomes.GetValueOrDefault($"{type} Conflict")} times");
            Assert.True(outcomes.GetValueOrDefault($"{type} Invalid") >= 20, $"{type} refused as invalid only {outcomes.GetValueOrDefault($"{type} Invalid")} times");
        }
    }

    /// <summary>One generated event, with dates as offsets from the day it is applied.</summary>
    internal sealed record EventSpec(string Type, string? Reason, int? UntilOffset, int? NewValidUntilOffset, string? InspectionResult, int? InspectionDateOffset)
    {
        public LifecycleEvent ToEvent(DateOnly today) => new(
            Type,
            Reason,
            UntilOffset is { } u ? today.AddDays(u) : null,
            NewValidUntilOffset is { } n ? today.AddDays(n) : null,
            InspectionResult,
            InspectionDateOffset is { } i ? today.AddDays(i) : null);

        public override string ToString() =>
            $"{Type}(reason={Describe(Reason)}, until={Day(UntilOffset)}, newValidUntil={Day(NewValidUntilOffset)}, result={InspectionResult ?? "-"}, date={Day(InspectionDateOffset)})";

        private static string Day(int? offset) => offset switch
        {
            null => "-",
            < 0 => $"today{offset}",
            _ => $"today+{offset}",
        };

        private static string Describe(string? reason) => reason switch
        {
            null => "null",
            { Length: > 20 } => $"<{reason.Length} chars>",
            _ => $"'{reason}'",
        };
    }

    /// <summary>What a reader sees, formatted the same way for the implementation and the model (also used by the grain-level model test).</summary>
    internal static string Observation(
        DateOnly today, string status, IEnumerable<string> reasons, bool inForce, int version, DateOnly? validUntil,
        bool mortgaged, bool pledged, DateOnly? inspectionDate, string? inspectionResult, string? statusReason) =>
        $"today={today:yyyy-MM-dd} {status} [{string.Join(",", reasons)}] inForce={inForce} v{version} " +
        $"end={validUntil?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) ?? "long-term"} m={mortgaged} p={pledged} " +
        $"inspection={inspectionDate?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) ?? "-"}/{inspectionResult ?? "-"} reason={statusReason ?? "-"}";

    /// <summary>The implementation under test, driven step by step.</summary>
    internal sealed class ActualLicence
    {
        private Lifecycle _lifecycle;
        private DateOnly _today;

        public ActualLicence(Lifecycle lifecycle, DateOnly today)
        {
            Initial = lifecycle;
            _lifecycle = lifecycle;
            _today = today;
            Log.Add($"start | {Observe()}");
        }

        public Lifecycle Initial { get; }

        public List<string> Log { get; } = [];

        public void Apply(EventSpec spec, ConcurrentDictionary<string, int> outcomes)
        {
            var result = LicenseLifecycle.Apply(_lifecycle, spec.ToEvent(_today), _today);
            string outcome;
            if (result.Accepted)
            {
                Assert.Equal(result.NewVersion, result.Lifecycle.VersionNumber == _lifecycle.VersionNumber + 1);
                _lifecycle = result.Lifecycle;
                outcome = result.NewVersion ? "accepted, new version" : "accepted";
                outcomes.AddOrUpdate($"{spec.Type} accepted", 1, (_, n) => n + 1);
            }
            else
            {
                outcome = $"rejected {result.Rejection!.Kind} {result.Rejection.Code}";
                outcomes.AddOrUpdate($"{spec.Type} {result.Rejection.Kind}", 1, (_, n) => n + 1);
            }

            Log.Add($"{spec} → {outcome} | {Observe()}");
        }

        public void Advance(int days)
        {
            _today = _today.AddDays(days);
            Log.Add($"advance {days} | {Observe()}");
        }

        private string Observe()
        {
            var seen = LicenseLifecycle.Normalize(_lifecycle, _today);
            return Observation(
                _today, LicenseLifecycle.Effective(_lifecycle, _today).ToWireName(), LicenseLifecycle.Reasons(_lifecycle, _today),
                InForce(_lifecycle, _today), seen.VersionNumber, seen.ValidUntil, seen.Mortgaged, seen.Pledged,
                seen.LastInspectionDate, seen.LastInspectionResult, seen.StatusReason);
        }
    }

    /// <summary>
    /// The independent model. It keeps separate flags instead of one status, updates them eagerly as a
    /// nightly batch job would whenever the clock moves (the implementation evaluates on read), and
    /// decides each event with explicit if/else instead of a table.
    /// </summary>
    internal sealed class ModelLicence
    {
        private static readonly string[] KnownTypes =
        [
            "suspend", "reinstate", "revoke", "cancel", "withdraw", "abolish", "annual-inspection", "extend",
            "mortgage", "release-mortgage", "pledge", "release-pledge", "transfer-out", "change",
        ];

        private string? _endedAs; // revoked, withdrawn, cancelled, transferred, abolished
        private bool _expired;
        private bool _suspended;
        private DateOnly? _suspendedThrough;
        private readonly DateOnly _validFrom;
        private DateOnly? _validThrough;
        private bool _mortgaged;
        private bool _pledged;
        private int _version;
        private DateOnly? _inspectionDate;
        private string? _inspectionResult;
        private string? _statusReason;
        private DateOnly _today;

        public ModelLicence(Lifecycle initial, DateOnly today)
        {
            switch (initial.Status)
            {
                case LicenseStatus.Valid:
                    break;
                case LicenseStatus.Suspended:
                    _suspended = true;
                    _suspendedThrough = initial.SuspendedUntil;
                    break;
                case LicenseStatus.Expired:
                    _expired = true;
                    break;
                case LicenseStatus.Revoked:
                    _endedAs = "revoked";
                    break;
                case LicenseStatus.Withdrawn:
                    _endedAs = "withdrawn";
                    break;
                case LicenseStatus.Cancelled:
                    _endedAs = "cancelled";
                    break;
                case LicenseStatus.Transferred:
                    _endedAs = "transferred";
                    break;
                case LicenseStatus.Abolished:
                    _endedAs = "abolished";
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(initial));
            }

            _validFrom = initial.ValidFrom;
            _validThrough = initial.ValidUntil;
            _mortgaged = initial.Mortgaged;
            _pledged = initial.Pledged;
            _version = initial.VersionNumber;
            _inspectionDate = initial.LastInspectionDate;
            _inspectionResult = initial.LastInspectionResult;
            _statusReason = initial.StatusReason;
            _today = today;
            NightlyBatch();
            Log.Add($"start | {Observe()}");
        }

        public List<string> Log { get; } = [];

        private string Status => _endedAs ?? (_expired ? "expired" : _suspended ? "suspended" : "valid");

        public void Advance(int days)
        {
            _today = _today.AddDays(days);
            NightlyBatch();
            Log.Add($"advance {days} | {Observe()}");
        }

        public void Apply(EventSpec spec)
        {
            var outcome = Decide(spec.ToEvent(_today));
            Log.Add($"{spec} → {outcome} | {Observe()}");
        }

        private void NightlyBatch()
        {
            if (_endedAs is not null)
            {
                return;
            }

            if (_suspended && _suspendedThrough.HasValue && _today > _suspendedThrough.Value)
            {
                _suspended = false;
                _suspendedThrough = null;
                _statusReason = null;
            }

            if (_validThrough.HasValue && _today > _validThrough.Value)
            {
                _expired = true;
            }
        }

        private const string Invalid = "rejected Invalid license.invalid_event";
        private const string NotFromThisStatus = "rejected Conflict license.invalid_transition";

        private static string Conflict(string code) => "rejected Conflict " + code;

        private static string? Tidy(string? reason) => string.IsNullOrWhiteSpace(reason) ? null : reason.Trim();

        private string Decide(LifecycleEvent e)
        {
            // the request on its own
            if (string.IsNullOrWhiteSpace(e.Type) || !KnownTypes.Contains(e.Type))
            {
                return Invalid;
            }

            if (e.Reason is not null && e.Reason.Length > 500)
            {
                return Invalid;
            }

            if (e.Type == "abolish" && string.IsNullOrWhiteSpace(e.Reason))
            {
                return Invalid;
            }

            if (e.Until.HasValue && (e.Type != "suspend" || e.Until.Value < _today))
            {
                return Invalid;
            }

            if (e.NewValidUntil.HasValue)
            {
                if (e.Type != "extend" || e.NewValidUntil.Value < _today)
                {
                    return Invalid;
                }
            }
            else if (e.Type == "extend")
            {
                return Invalid;
            }

            if ((e.InspectionResult is not null || e.InspectionDate.HasValue) && e.Type != "annual-inspection")
            {
                return Invalid;
            }

            if (e.Type == "annual-inspection")
            {
                if (e.InspectionResult is not ("passed" or "failed") || !e.InspectionDate.HasValue || e.InspectionDate.Value > _today)
                {
                    return Invalid;
                }
            }

            // the request against the licence
            var status = Status;
            var live = status is "valid" or "suspended";
            var liveOrExpired = live || status == "expired";

            if (e.Type == "suspend")
            {
                if (status != "valid")
                {
                    return NotFromThisStatus;
                }

                _suspended = true;
                _suspendedThrough = e.Until;
                _statusReason = Tidy(e.Reason);
                return "accepted";
            }

            if (e.Type == "reinstate")
            {
                if (status != "suspended")
                {
                    return NotFromThisStatus;
                }

                _suspended = false;
                _suspendedThrough = null;
                _statusReason = null;
                return "accepted";
            }

            if (e.Type == "revoke")
            {
                return live ? End("revoked", e.Reason) : NotFromThisStatus;
            }

            if (e.Type is "withdraw" or "cancel" or "abolish")
            {
                var endsAs = e.Type == "withdraw" ? "withdrawn" : e.Type == "cancel" ? "cancelled" : "abolished";
                return liveOrExpired ? End(endsAs, e.Reason) : NotFromThisStatus;
            }

            if (e.Type == "transfer-out")
            {
                if (status != "valid")
                {
                    return NotFromThisStatus;
                }

                if (_mortgaged || _pledged)
                {
                    return Conflict("license.encumbered");
                }

                return End("transferred", e.Reason);
            }

            if (e.Type == "annual-inspection")
            {
                if (!live)
                {
                    return NotFromThisStatus;
                }

                if (e.InspectionDate!.Value < _validFrom)
                {
                    return Invalid;
                }

                if (_inspectionDate is null || e.InspectionDate.Value >= _inspectionDate.Value)
                {
                    _inspectionDate = e.InspectionDate;
                    _inspectionResult = e.InspectionResult;
                }

                return "accepted";
            }

            if (e.Type == "extend")
            {
                if (!liveOrExpired)
                {
                    return NotFromThisStatus;
                }

                if (_validThrough is null)
                {
                    return Conflict("license.long_term");
                }

                if (e.NewValidUntil!.Value <= _validThrough.Value)
                {
                    return Invalid;
                }

                if (_version == 999)
                {
                    return Conflict("license.version_limit");
                }

                _validThrough = e.NewValidUntil;
                _expired = false; // the new end is today or later
                _version++;
                return "accepted, new version";
            }

            if (e.Type == "change")
            {
                if (!live)
                {
                    return NotFromThisStatus;
                }

                if (_version == 999)
                {
                    return Conflict("license.version_limit");
                }

                _version++;
                return "accepted, new version";
            }

            if (e.Type is "mortgage" or "pledge")
            {
                if (!live)
                {
                    return NotFromThisStatus;
                }

                if (e.Type == "mortgage")
                {
                    if (_mortgaged)
                    {
                        return Conflict("license.already_mortgaged");
                    }

                    _mortgaged = true;
                }
                else
                {
                    if (_pledged)
                    {
                        return Conflict("license.already_pledged");
                    }

                    _pledged = true;
                }

                return "accepted";
            }

            // release-mortgage, release-pledge
            if (!liveOrExpired)
            {
                return NotFromThisStatus;
            }

            if (e.Type == "release-mortgage")
            {
                if (!_mortgaged)
                {
                    return Conflict("license.not_mortgaged");
                }

                _mortgaged = false;
            }
            else
            {
                if (!_pledged)
                {
                    return Conflict("license.not_pledged");
                }

                _pledged = false;
            }

            return "accepted";
        }

        private string End(string endsAs, string? reason)
        {
            _endedAs = endsAs;
            _suspended = false;
            _suspendedThrough = null;
            _statusReason = Tidy(reason);
            return "accepted";
        }

        private string Observe()
        {
            var reasons = new List<string>();
            if (_endedAs is not null)
            {
                reasons.Add(_endedAs);
            }
            else
            {
                if (_expired)
                {
                    reasons.Add("expired");
                }

                if (_suspended)
                {
                    reasons.Add("suspended");
                }

                if (_today < _validFrom)
                {
                    reasons.Add("not-yet-valid");
                }
            }

            return Observation(
                _today, Status, reasons, inForce: reasons.Count == 0, _version, _validThrough, _mortgaged, _pledged,
                _inspectionDate, _inspectionResult, _statusReason);
        }
    }

    /// <summary>Generators of starting points, events and clock steps for the model-based property.</summary>
    internal static class LifecycleGens
    {
        // Ending events are rarer so that histories stay alive long enough to reach the other rules.
        private static readonly string[] Ending =
            [LicenseEventTypes.Revoke, LicenseEventTypes.Withdraw, LicenseEventTypes.Cancel, LicenseEventTypes.Abolish, LicenseEventTypes.TransferOut];

        private static readonly string[] Continuing = [.. LicenseEventTypes.All.Except(Ending)];

        private static Gen<T?> Sometimes<T>(Gen<T> gen, bool usually)
            where T : struct =>
            Gen.Frequency((usually ? 9 : 1, gen.Select(v => (T?)v)), (usually ? 1 : 24, Gen.Const((T?)null)));

        private static Gen<string?> SometimesText(Gen<string> gen, bool usually) =>
            Gen.Frequency((usually ? 9 : 1, gen.Select(v => (string?)v)), (usually ? 1 : 24, Gen.Const((string?)null)));

        private static readonly Gen<string?> ReasonsGen = Gen.Frequency(
            (6, Gen.Const((string?)null)),
            (8, Gen.OneOf<string?>("责令停业整顿", "依法吊销", " 到期注销 ", "证照类型已取消")),
            (1, Gen.OneOf<string?>("", "   ", new string('x', LifecycleEvent.MaxReasonLength), new string('x', LifecycleEvent.MaxReasonLength + 1))));

        private static readonly Gen<string> TypesGen = Gen.Frequency(
            (36, Gen.OneOf(Continuing)),
            (6, Gen.OneOf(Ending)),
            (1, Gen.OneOf("", "renew", "SUSPEND", "transfer_out")));

        public static readonly Gen<EventSpec> Events = TypesGen.SelectMany(type => Gen.Select(
            type == LicenseEventTypes.Abolish ? Gen.Frequency((1, ReasonsGen), (6, Gen.OneOf<string?>("证照类型已取消", " 依法废止 "))) : ReasonsGen,
            Sometimes(Gen.Int[-3, 60], usually: type == LicenseEventTypes.Suspend),
            Sometimes(Gen.Frequency((1, Gen.Int[-30, 30]), (2, Gen.Int[-30, 4000])), usually: type == LicenseEventTypes.Extend),
            SometimesText(Gen.Frequency((8, Gen.OneOf(InspectionResults.Passed, InspectionResults.Failed)), (1, Gen.OneOf("qualified", "PASSED"))), usually: type == LicenseEventTypes.AnnualInspection),
            Sometimes(Gen.Frequency((6, Gen.Int[-400, 0]), (1, Gen.Int[-3000, 3])), usually: type == LicenseEventTypes.AnnualInspection),
            (reason, until, newEnd, result, date) => new EventSpec(type, reason, until, newEnd, result, date)));

        /// <summary>Mostly small steps so the boundary days (last valid day, last suspended day) are hit; sometimes years.</summary>
        public static readonly Gen<int> ClockSteps = Gen.Frequency((6, Gen.Int[0, 3]), (3, Gen.Int[4, 90]), (1, Gen.Int[91, 1500]));

        private static readonly Gen<LicenseStatus> Statuses = Gen.Frequency(
            (10, Gen.Const(LicenseStatus.Valid)),
            (4, Gen.Const(LicenseStatus.Suspended)),
            (1, Gen.OneOf(LicenseStatus.Expired, LicenseStatus.Revoked, LicenseStatus.Withdrawn, LicenseStatus.Cancelled, LicenseStatus.Transferred, LicenseStatus.Abolished)));

        private static readonly Gen<(LicenseStatus Status, DateOnly? SuspendedUntil, string? StatusReason)> StatusParts =
            Gen.Select(Statuses, Sometimes(Gen.Int[-10, 60], usually: true), Gen.OneOf<string?>(null, "责令停业整顿"))
                .Select(t => t.Item1 switch
                {
                    LicenseStatus.Valid or LicenseStatus.Expired => (t.Item1, (DateOnly?)null, (string?)null),
                    LicenseStatus.Suspended => (t.Item1, t.Item2 is { } d ? Base.AddDays(d) : null, t.Item3),
                    _ => (t.Item1, null, t.Item3),
                });

        /// <summary>The starting "today"; starting dates are offsets from it.</summary>
        private static readonly DateOnly Base = TestCalendar.Today;

        private static readonly Gen<(DateOnly From, DateOnly? Until)> Validity = Gen.Select(
            Gen.Frequency((1, Gen.Int[-10, 10]), (3, Gen.Int[-3000, 0]), (1, Gen.Int[1, 90])),
            Gen.Frequency((2, Gen.Const((int?)null)), (4, Gen.Int[-10, 10].Select(d => (int?)d)), (6, Gen.Int[-400, 3650].Select(d => (int?)d))),
            (from, until) => until is { } u
                ? (Base.AddDays(Math.Min(from, u)), (DateOnly?)Base.AddDays(u))
                : (Base.AddDays(from), null));

        private static readonly Gen<(DateOnly? Date, string? Result)> Inspections = Gen.Frequency(
            (3, Gen.Const<(DateOnly?, string?)>((null, null))),
            (1, Gen.Select(Gen.Int[-500, 0], Gen.OneOf(InspectionResults.Passed, InspectionResults.Failed), (d, r) => ((DateOnly?)Base.AddDays(d), (string?)r))));

        public static readonly Gen<(ActualLicence, ModelLicence)> Initial = Gen.Select(
            StatusParts,
            Validity,
            Gen.Bool,
            Gen.Bool,
            Gen.Frequency((8, Gen.Int[1, 9]), (1, Gen.Int[996, 999])),
            Inspections,
            (status, validity, mortgaged, pledged, version, inspection) =>
            {
                var lifecycle = new Lifecycle(
                    status.Status, validity.From, validity.Until, status.SuspendedUntil, mortgaged, pledged, version,
                    inspection.Date, inspection.Result, status.StatusReason);
                return (new ActualLicence(lifecycle, Base), new ModelLicence(lifecycle, Base));
            });
    }

    /// <summary>A verifier may rely on the licence today: no reason against it (status, validity end, suspension, start).</summary>
    private static bool InForce(Lifecycle lifecycle, DateOnly today) => LicenseLifecycle.Reasons(lifecycle, today).Count == 0;
}
