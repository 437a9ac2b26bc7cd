using Microsoft.Extensions.Time.Testing;
using OrleansLicenses.Corrections;
using OrleansLicenses.Errors;
using OrleansLicenses.Licenses;
using OrleansLicenses.Tests.Licenses;

namespace OrleansLicenses.Tests.Corrections;

/// <summary>Issue 12: correction requests through their workflow, with the calendar under test control.</summary>
public sealed class CorrectionWorkflowTests
{
    private static readonly TimeSpan Stage = TimeSpan.FromDays(3);

    [Fact]
    public async Task DataCorrection_ResolvedInTime_MakesANewVersion_LinksBothWays_AndTellsTheRequester()
    {
        var calendar = new FakeTimeProvider(TestCalendar.Clock.GetUtcNow());
        var connectionString = await PlatformDatabase.CreateAsync();
        var cluster = await CorrectionWorld.StartAsync(connectionString, calendar);
        try
        {
            await LicenseWorld.SeedAsync(cluster.Client);
            var (number, holder, licence) = await CorrectionWorld.IssueAsync(cluster.Client, calendar.GetUtcNow());
            var id = Guid.NewGuid().ToString();
            var correction = cluster.Client.GetGrain<ICorrectionGrain>(id);

            var filed = await correction.FileAsync(CorrectionWorld.Filing(licence), CorrectionWorld.HolderCaller(holder));
            Assert.Equal(("open", "issuer", false), (filed.Status, filed.Stage, filed.Overdue));
            Assert.Equal(calendar.GetUtcNow() + Stage, filed.DueAt);

            calendar.Advance(TimeSpan.FromDays(2));
            var resolved = await correction.ResolveAsync(new ResolveCorrection(CorrectionNames.OutcomeCorrected,
                new Dictionary<string, string> { ["address"] = "哈尔滨市南岗区示例路2号" }, "核实门牌号，予以更正"), LicenseWorld.Issuer);
            Assert.Equal(("resolved", "done", "corrected", "002"), (resolved.Status, resolved.Stage, resolved.Outcome, resolved.NewVersion));
            Assert.Null(resolved.DueAt);

            // The licence has the new version, and its history names the request.
            var current = (await cluster.Client.GetGrain<ILicenseGrain>(number).GetAsync(null, LicenseWorld.Issuer))!;
            Assert.Equal(("002", "哈尔滨市南岗区示例路2号", resolved.NewIdentifier), (current.Version, current.Fields["address"], (string?)current.Id));
            var change = (await cluster.Client.GetGrain<ILicenseGrain>(number).GetHistoryAsync(LicenseWorld.Issuer))!.Last();
            Assert.Equal(LicenseEventTypes.Change, change.Action);
            Assert.Contains(id, change.Reason, StringComparison.Ordinal);

            // The requester, the issuer and the operator were told at filing and at resolution.
            var notices = await CorrectionWorld.NotificationsAsync(connectionString, id);
            var requester = Recipients.Holder(holder.Key);
            Assert.Contains((requester, "filed", "issuer"), notices);
            Assert.Contains((requester, "resolved", "issuer"), notices);
            Assert.Contains((Recipients.Unit(LicenseWorld.HarbinMarket), "resolved", "issuer"), notices);
            Assert.Contains((Recipients.Operator, "resolved", "issuer"), notices);

            // A second decision is refused by the transition table; a resolved request is never overdue or escalated.
            var again = await Assert.ThrowsAsync<DomainException>(() => correction.ResolveAsync(
                new ResolveCorrection(CorrectionNames.OutcomeConfirmed, null, "再次处理"), LicenseWorld.Issuer));
            Assert.Equal((DomainErrorKind.Conflict, CorrectionCodes.InvalidTransition), (again.Kind, again.Code));
            calendar.Advance(TimeSpan.FromDays(10));
            Assert.False((await correction.GetAsync(CorrectionWorld.HolderCaller(holder)))!.Overdue);
            Assert.False(await correction.CheckDeadlineAsync());
            Assert.Equal("002", (await cluster.Client.GetGrain<ILicenseGrain>(number).GetAsync(null, LicenseWorld.Issuer))!.Version);
        }
        finally
        {
            await CorrectionWorld.StopAsync(cluster, connectionString);
        }
    }

    [Fact]
    public async Task TechnicalCause_Forwarded_ResolvedByOperator_ClosedByIssuer_WhoseKeySignsTheCorrection()
    {
        var calendar = new FakeTimeProvider(TestCalendar.Clock.GetUtcNow());
        var connectionString = await PlatformDatabase.CreateAsync();
        var cluster = await CorrectionWorld.StartAsync(connectionString, calendar);
        try
        {
            await LicenseWorld.SeedAsync(cluster.Client);
            var (number, holder, licence) = await CorrectionWorld.IssueAsync(cluster.Client, calendar.GetUtcNow());
            var id = Guid.NewGuid().ToString();
            var correction = cluster.Client.GetGrain<ICorrectionGrain>(id);
            await correction.FileAsync(CorrectionWorld.Filing(licence, CorrectionNames.CauseTechnical), CorrectionWorld.HolderCaller(holder));

            // The operator cannot act before the issuer forwards; the holder sees the request but has no part in it.
            var early = await Assert.ThrowsAsync<DomainException>(() => correction.ResolveAsync(
                new ResolveCorrection(CorrectionNames.OutcomeConfirmed, null, "x"), CorrectionWorld.Operator));
            Assert.Equal(CorrectionCodes.InvalidTransition, early.Code);

            calendar.Advance(TimeSpan.FromDays(1));
            var forwarded = await correction.ForwardAsync("数据交换过程中字段截断，属技术原因", LicenseWorld.Issuer);
            Assert.Equal(("open", "operator"), (forwarded.Status, forwarded.Stage));
            Assert.Equal(calendar.GetUtcNow() + Stage, forwarded.DueAt);

            // Now the issuer cannot resolve or forward again: the stage is the operator's.
            foreach (var step in new Func<Task>[]
            {
                () => correction.ResolveAsync(new ResolveCorrection(CorrectionNames.OutcomeConfirmed, null, "x"), LicenseWorld.Issuer),
                () => correction.ForwardAsync("again", LicenseWorld.Issuer),
                () => correction.CloseAsync("too early", LicenseWorld.Issuer),
            })
            {
                Assert.Equal(CorrectionCodes.InvalidTransition, (await Assert.ThrowsAsync<DomainException>(step)).Code);
            }

            calendar.Advance(TimeSpan.FromDays(2));
            var answered = await correction.ResolveAsync(new ResolveCorrection(CorrectionNames.OutcomeCorrected,
                new Dictionary<string, string> { ["address"] = "哈尔滨市南岗区示例路2号" }, "库内数据截断，已核实正确值"), CorrectionWorld.Operator);
            Assert.Equal(("open", "closing", "corrected"), (answered.Status, answered.Stage, answered.Outcome));
            Assert.Equal("001", (await cluster.Client.GetGrain<ILicenseGrain>(number).GetAsync(null, LicenseWorld.Issuer))!.Version);

            calendar.Advance(TimeSpan.FromHours(1));
            var closed = await correction.CloseAsync("已按管理机构核查结果更正并告知", LicenseWorld.Issuer);
            Assert.Equal(("resolved", "done", "002"), (closed.Status, closed.Stage, closed.NewVersion));
            var current = (await cluster.Client.GetGrain<ILicenseGrain>(number).GetAsync(null, LicenseWorld.Issuer))!;
            Assert.Equal(("002", "哈尔滨市南岗区示例路2号"), (current.Version, current.Fields["address"]));
            Assert.Equal(new[] { "file", "forward", "resolve", "close" }, closed.Steps.Select(s => s.Action));

            var requester = Recipients.Holder(holder.Key);
            var kinds = (await CorrectionWorld.NotificationsAsync(connectionString, id)).Where(n => n.Recipient == requester).Select(n => n.Kind);
            Assert.Equal(new[] { "filed", "forwarded", "answered", "closed" }, kinds);
            Assert.Equal(CorrectionCodes.InvalidTransition,
                (await Assert.ThrowsAsync<DomainException>(() => correction.CloseAsync("twice", LicenseWorld.Issuer))).Code);
        }
        finally
        {
            await CorrectionWorld.StopAsync(cluster, connectionString);
        }
    }

    [Fact]
    public async Task StageOpenPastItsDeadline_IsOverdueOnRead_AndEscalatesExactlyOnce_ToOperatorAndParentUnit()
    {
        var calendar = new FakeTimeProvider(TestCalendar.Clock.GetUtcNow());
        var connectionString = await PlatformDatabase.CreateAsync();
        var cluster = await CorrectionWorld.StartAsync(connectionString, calendar);
        try
        {
            await LicenseWorld.SeedAsync(cluster.Client);
            var (_, holder, licence) = await CorrectionWorld.IssueAsync(cluster.Client, calendar.GetUtcNow());
            var id = Guid.NewGuid().ToString();
            var correction = cluster.Client.GetGrain<ICorrectionGrain>(id);
            var requester = CorrectionWorld.HolderCaller(holder);
            await correction.FileAsync(CorrectionWorld.Filing(licence), requester);

            // One minute before the deadline: neither overdue nor escalated, however often the reminder looks.
            calendar.Advance(Stage - TimeSpan.FromMinutes(1));
            Assert.False((await correction.GetAsync(requester))!.Overdue);
            Assert.False(await correction.CheckDeadlineAsync());

            calendar.Advance(TimeSpan.FromMinutes(2));
            // Overdue on read at once, before any reminder had a chance to run.
            Assert.True((await correction.GetAsync(requester))!.Overdue);

            // The reminder escalates: the operator and the issuer's parent unit are told.
            var escalations = await CorrectionWorld.AwaitEscalationsAsync(connectionString, id, 2);
            Assert.Equal(new[] { (Recipients.Operator, "escalated", "issuer"), (Recipients.Unit(LicenseWorld.ProvinceMarket), "escalated", "issuer") },
                escalations.OrderBy(e => e.Recipient, StringComparer.Ordinal));

            // Concurrent checks and further reminder ticks (one a second) add nothing.
            Assert.DoesNotContain(true, await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => correction.CheckDeadlineAsync())));
            await Task.Delay(TimeSpan.FromSeconds(3));
            Assert.Equal(2, (await CorrectionWorld.NotificationsAsync(connectionString, id)).Count(n => n.Kind == "escalated"));
            var view = (await correction.GetAsync(requester))!;
            Assert.Equal(new[] { "issuer" }, view.EscalatedStages);
            Assert.Equal((true, "open"), (view.Overdue, view.Status));

            // The issuer may still act late; the next stage gets its own deadline and is not escalated.
            var forwarded = await correction.ForwardAsync("技术原因", LicenseWorld.Issuer);
            Assert.False(forwarded.Overdue);
        }
        finally
        {
            await CorrectionWorld.StopAsync(cluster, connectionString);
        }
    }

    [Theory]
    [InlineData(false)] // graceful stop
    [InlineData(true)] // every silo killed
    public async Task WholeClusterDownAcrossTheDeadline_EscalatesOnStartUp_ExactlyOnce(bool kill)
    {
        var calendar = new FakeTimeProvider(TestCalendar.Clock.GetUtcNow());
        var connectionString = await PlatformDatabase.CreateAsync();
        var first = await CorrectionWorld.StartAsync(connectionString, calendar);
        var id = Guid.NewGuid().ToString();
        HolderRef holder = null!;
        try
        {
            await LicenseWorld.SeedAsync(first.Client);
            (_, holder, var licence) = await CorrectionWorld.IssueAsync(first.Client, calendar.GetUtcNow());
            await first.Client.GetGrain<ICorrectionGrain>(id).FileAsync(CorrectionWorld.Filing(licence), CorrectionWorld.HolderCaller(holder));
        }
        finally
        {
            await CorrectionWorld.StopAsync(first, connectionString, kill);
        }

        // Nothing runs while the deadline passes.
        calendar.Advance(Stage + TimeSpan.FromHours(5));
        Assert.DoesNotContain(await CorrectionWorld.NotificationsAsync(connectionString, id), n => n.Kind == "escalated");

        var second = await CorrectionWorld.StartAsync(connectionString, calendar);
        try
        {
            var escalations = await CorrectionWorld.AwaitEscalationsAsync(connectionString, id, 2);
            Assert.Equal(2, escalations.Count);
            await Task.Delay(TimeSpan.FromSeconds(3));
            Assert.Equal(2, (await CorrectionWorld.NotificationsAsync(connectionString, id)).Count(n => n.Kind == "escalated"));
            var view = (await second.Client.GetGrain<ICorrectionGrain>(id).GetAsync(CorrectionWorld.HolderCaller(holder)))!;
            Assert.True(view.Overdue);
            Assert.Equal(new[] { "issuer" }, view.EscalatedStages);
        }
        finally
        {
            await CorrectionWorld.StopAsync(second, connectionString);
        }
    }
}
