using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using CsCheck;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;
using OrleansLicenses.Errors;
using OrleansLicenses.Holders;
using OrleansLicenses.Identifiers;
using OrleansLicenses.Licenses;
using OrleansLicenses.Signing;
using Xunit.Abstractions;
using static OrleansLicenses.Tests.Licenses.LicenseLifecycleTests;

namespace OrleansLicenses.Tests.Licenses;

/// <summary>
/// The licence grain against the independent lifecycle model of <see cref="LicenseLifecycleTests"/>: random
/// histories of status events (<see cref="ILicenseGrain.ApplyAsync"/>), changes (<see cref="ILicenseGrain.ChangeAsync"/>)
/// and clock steps run on a freshly issued licence on a real two-silo cluster on PostgreSQL, one history at a time
/// (the clock is the cluster's). After every step the grain's answer (accepted, new version, or the refusal's kind
/// and code) and what it then shows (status, reasons, version, validity end, annotations) must match the model's,
/// and identifiers, superseded versions, signatures, history, read model and holder list must be consistent.
/// </summary>
public sealed class LicenseGrainModelTests(ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>About 10 000 steps, each a grain call and most a PostgreSQL write: some 40 s on two cores.</summary>
    private const int Histories = 1000;

    /// <summary>20:00 UTC is 04:00 the next day in China: a grain that took the UTC date would disagree with the model.</summary>
    private readonly FakeTimeProvider calendar = new(TestCalendar.Start.AddHours(18));
    private string connectionString = "";
    private InProcessTestCluster cluster = null!;
    private int changes;

    public async Task InitializeAsync()
    {
        connectionString = await PlatformDatabase.CreateAsync();
        cluster = await TestClusters.StartAsync(connectionString, configureSilo: new PlatformTestClock(calendar).Register);
        await LicenseWorld.SeedAsync(cluster.Client);
    }

    public async Task DisposeAsync()
    {
        await cluster.StopAllSilosAsync();
        await cluster.DisposeAsync();
    }

    [Fact]
    public async Task ApplyAndChange_OnTheGrain_AgreeWithTheIndependentModel_OverRandomHistories()
    {
        var outcomes = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var steps = 0;
        var watch = Stopwatch.StartNew();

        await History.Gen.SampleAsync(
            async history => steps += await RunAsync(history, outcomes),
            iter: Histories,
            threads: 1, // one clock for the whole cluster: histories must not interleave
            print: h => h.ToString());

        output.WriteLine($"{Histories} histories, {steps} steps in {watch.Elapsed.TotalSeconds:F1} s; today is now {PlatformClock.Today(calendar):yyyy-MM-dd}");
        foreach (var (key, count) in outcomes.OrderBy(o => o.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"{key}: {count}");
        }

        // Only as good as its coverage: every event type accepted and refused through the grain, malformed events seen.
        foreach (var type in LicenseEventTypes.All)
        {
            Assert.True(outcomes.GetValueOrDefault($"{type} accepted") >= 20, $"{type} accepted only {outcomes.GetValueOrDefault($"{type} accepted")} times");
            Assert.True(outcomes.GetValueOrDefault($"{type} Conflict") >= 20, $"{type} refused as conflict only {outcomes.GetValueOrDefault($"{type} Conflict")} times");
        }

        Assert.True(outcomes.Where(o => o.Key.EndsWith(" Invalid", StringComparison.Ordinal)).Sum(o => o.Value) >= 500);
        Assert.True(outcomes.GetValueOrDefault("observed expired") >= 200);
        Assert.True(outcomes.GetValueOrDefault("observed suspension ended by the clock") >= 10);
    }

    /// <summary>Runs one history; returns the number of steps. Throws on the first disagreement, with both logs.</summary>
    private async Task<int> RunAsync(History history, ConcurrentDictionary<string, int> outcomes)
    {
        var grains = cluster.Client;
        var today = PlatformClock.Today(calendar);
        var holder = LicenseWorld.NewHolder();
        var typeCode = history.LongTerm ? LicenseWorld.LongTermType : LicenseWorld.FoodType;
        var number = LicenseWorld.Number(LicenseWorld.NewSerial("MB"), typeCode);
        var validFrom = today.AddDays(history.ValidFromOffset);
        DateOnly? validUntil = history.ValidityDays is { } days ? validFrom.AddDays(days) : null;
        var licence = grains.GetGrain<ILicenseGrain>(number);

        var issued = await licence.IssueAsync(LicenseWorld.Issue(holder, validFrom, validUntil, typeCode), LicenseWorld.Issuer);

        // The model's starting point is derived independently: the catalogue default is 5 years with the last day inclusive.
        DateOnly? expectedEnd = history.LongTerm ? null : validUntil ?? validFrom.AddYears(5).AddDays(-1);
        var model = new ModelLicence(new Lifecycle(LicenseStatus.Valid, validFrom, expectedEnd, null, false, false, 1), today);
        var actual = new List<string> { $"start | {Observe(issued, today)}" };
        await CheckConsistency(grains, number, issued, outcomes);
        Compare(history, actual, model.Log);

        var view = issued;
        var historyLength = 1;
        foreach (var step in history.Steps)
        {
            if (step.Event is not { } spec)
            {
                calendar.Advance(TimeSpan.FromDays(step.Days));
                today = PlatformClock.Today(calendar);
                if (view.Status == "suspended" && view.Annotations.SuspendedUntil < today)
                {
                    outcomes.AddOrUpdate("observed suspension ended by the clock", 1, (_, n) => n + 1);
                }

                model.Advance(step.Days);
                view = (await licence.GetAsync(null, LicenseWorld.Issuer))!;
                actual.Add($"advance {step.Days} | {Observe(view, today)}");
            }
            else
            {
                // A change travels through ChangeAsync, which carries a reason and new face data but no event fields.
                var isChange = spec.Type == LicenseEventTypes.Change;
                var sent = isChange ? spec with { UntilOffset = null, NewValidUntilOffset = null, InspectionResult = null, InspectionDateOffset = null } : spec;
                var operatorName = $"经营者{Interlocked.Increment(ref changes)}";
                LicenseView? accepted = null;
                DomainException? refused = null;
                try
                {
                    accepted = isChange
                        ? await licence.ChangeAsync(new ChangeLicense(LicenseWorld.Fields(operatorName), null, sent.Reason!), LicenseWorld.Issuer)
                        : await licence.ApplyAsync(sent.ToEvent(today), LicenseWorld.Issuer);
                }
                catch (DomainException e)
                {
                    refused = e;
                }

                string outcome;
                LicenseView after;
                if (accepted is not null)
                {
                    after = accepted;
                    var newVersion = after.Version != view.Version;
                    outcome = newVersion ? "accepted, new version" : "accepted";
                    outcomes.AddOrUpdate($"{spec.Type} accepted", 1, (_, n) => n + 1);
                    await CheckAccepted(licence, view, after, spec.Type, newVersion, ++historyLength);
                    if (isChange)
                    {
                        Assert.Equal(operatorName, after.Fields["operatorName"]);
                    }

                    Assert.Equal(Describe(after, today), Describe((await licence.GetAsync(null, LicenseWorld.Issuer))!, today));
                }
                else
                {
                    outcome = $"rejected {refused!.Kind} {refused.Code}";
                    outcomes.AddOrUpdate($"{spec.Type} {refused.Kind}", 1, (_, n) => n + 1);
                    after = (await licence.GetAsync(null, LicenseWorld.Issuer))!;
                    Assert.Equal(Describe(view, today), Describe(after, today)); // a refusal changes nothing
                    Assert.Equal(historyLength, (await licence.GetHistoryAsync(LicenseWorld.Issuer))!.Count);
                }

                model.Apply(sent);
                view = after;
                actual.Add($"{sent} → {outcome} | {Observe(view, today)}");
            }

            await CheckConsistency(grains, number, view, outcomes);
            Compare(history, actual, model.Log);
        }

        return history.Steps.Length;
    }

    /// <summary>The model's observation format, filled from the grain's view.</summary>
    private static string Observe(LicenseView view, DateOnly today)
    {
        var a = view.Annotations;
        return Observation(today, view.Status, view.Reasons, view.Reasons.Count == 0, int.Parse(view.Version, CultureInfo.InvariantCulture),
            view.ValidUntil, a.Mortgaged, a.Pledged, a.LastInspectionDate, a.LastInspectionResult, a.StatusReason);
    }

    /// <summary>Everything a reader of the current version sees, for "nothing changed" comparisons.</summary>
    private static string Describe(LicenseView v, DateOnly today) =>
        $"{v.Id} {v.Version} {v.CurrentId} {v.Signature.Value} {string.Join(",", v.Fields.OrderBy(f => f.Key, StringComparer.Ordinal))} " +
        $"{v.Holder} {v.ValidFrom} {v.ValidUntil} {v.Annotations} | {Observe(v, today)}";

    private static void Compare(History history, List<string> actual, List<string> model)
    {
        Assert.Equal(model.Count, actual.Count);
        if (!string.Equals(actual[^1], model[^1], StringComparison.Ordinal))
        {
            var message = new StringBuilder($"The grain and the model disagree at step {actual.Count - 1} of {history}:")
                .AppendLine().AppendLine("grain:");
            actual.ForEach(line => message.Append("  ").AppendLine(line));
            message.AppendLine("model:");
            model.ForEach(line => message.Append("  ").AppendLine(line));
            throw new Xunit.Sdk.XunitException(message.ToString());
        }
    }

    /// <summary>An accepted step: identifiers, versions, supersession, signature and history are right.</summary>
    private static async Task CheckAccepted(ILicenseGrain licence, LicenseView before, LicenseView after, string type, bool newVersion, int historyLength)
    {
        Assert.True(LicenseIdentifier.TryParse(after.Id, out var id, out var error), error);
        Assert.Equal(after.LicenseNumber, id.Number);
        Assert.Equal(after.Version, id.Version);
        Assert.Equal(after.Id, after.CurrentId);
        Assert.True(after.Current);
        var entries = (await licence.GetHistoryAsync(LicenseWorld.Issuer))!;
        Assert.Equal(historyLength, entries.Count);
        Assert.Equal((type, after.Version, after.Id, after.Status), (entries[^1].Action, entries[^1].Version, entries[^1].Identifier, entries[^1].Status));

        if (!newVersion)
        {
            Assert.Equal((before.Id, before.Signature), (after.Id, after.Signature));
            return;
        }

        // A new version: the next number, a new identifier with a correct check character, re-signed; the old one is superseded.
        Assert.Equal(int.Parse(before.Version, CultureInfo.InvariantCulture) + 1, id.VersionNumber);
        Assert.NotEqual(before.Id, after.Id);
        var old = (await licence.GetAsync(before.Version, LicenseWorld.Issuer))!;
        Assert.Equal((before.Id, false, after.Id), (old.Id, old.Current, old.SupersededBy));
        Assert.Contains("superseded", old.Reasons);
        Assert.Equal(after.Id, old.CurrentId);

        var document = (await licence.GetDocumentAsync(null, LicenseWorld.Issuer))!;
        Assert.Equal(after.Id, document.Identifier);
        Assert.Contains($"\"identifier\":\"{after.Id}\"", document.Canonical, StringComparison.Ordinal);
        var publicKey = UnitCertificateInfo.Parse(Convert.FromBase64String(document.Certificate)).PublicKey;
        Assert.True(Sm2Signer.Verify(publicKey, Encoding.UTF8.GetBytes(document.Canonical), Convert.FromBase64String(document.Signature)));
    }

    /// <summary>After every step: status code, read model and holder list agree with the licence.</summary>
    private async Task CheckConsistency(IGrainFactory grains, string number, LicenseView view, ConcurrentDictionary<string, int> outcomes)
    {
        Assert.True(LicenseStatusCodes.TryFromWireName(view.Status, out var status));
        Assert.Equal(status.ToNationalCode(), view.StatusCode);
        if (status == LicenseStatus.Expired)
        {
            outcomes.AddOrUpdate("observed expired", 1, (_, n) => n + 1);
        }

        var row = Assert.Single(await LicenseWorld.ReadModelRows(connectionString, number));
        Assert.Equal((view.Id, view.Holder.IdNumber), (row.Identifier, row.HolderIdNumber));

        var listed = Assert.Single(await grains.GetGrain<IHolderGrain>(view.Holder.Key).GetLicensesAsync(LicenseWorld.Admin), l => l.LicenseNumber == number);
        Assert.Equal((view.Id, view.Status, view.ValidUntil), (listed.CurrentId, listed.Status, listed.ValidUntil));
    }

    /// <summary>One generated history: how the licence is issued, then events and clock steps.</summary>
    internal sealed record History(int ValidFromOffset, int? ValidityDays, bool LongTerm, Step[] Steps)
    {
        public static readonly Gen<History> Gen = CsCheck.Gen.Select(
            CsCheck.Gen.Frequency((6, CsCheck.Gen.Int[-400, 0]), (1, CsCheck.Gen.Int[1, 20])),
            CsCheck.Gen.Frequency((3, CsCheck.Gen.Int[0, 30].Select(d => (int?)d)), (2, CsCheck.Gen.Int[31, 400].Select(d => (int?)d)), (2, CsCheck.Gen.Const((int?)null))),
            CsCheck.Gen.Int[0, 5].Select(n => n == 0),
            CsCheck.Gen.Frequency(
                (5, LifecycleGens.Events.Select(e => new Step(e, 0))),
                (1, LifecycleGens.ClockSteps.Select(d => new Step(null, d)))).Array[6, 14],
            (from, days, longTerm, steps) => new History(from, longTerm ? null : days, longTerm, steps));

        public override string ToString() =>
            $"issued valid from today{ValidFromOffset:+0;-0;+0} {(LongTerm ? "long-term" : ValidityDays is { } d ? $"for {d} days" : "for the type's 5 years")}: " +
            string.Join("; ", Steps.Select(s => s.ToString()));
    }

    internal sealed record Step(EventSpec? Event, int Days)
    {
        public override string ToString() => Event?.ToString() ?? $"advance {Days} days";
    }
}
