using System.Diagnostics.Metrics;
using OrleansLicenses.Hosting;
using OrleansLicenses.Licenses;
using OrleansLicenses.Tests.Cluster;

namespace OrleansLicenses.Tests.Licenses;

[Collection(PostgresClusterCollection.Name)]
public sealed class LicenseMetricsTests(PostgresClusterFixture fixture)
{
    /// <summary>The listener sees every measurement of the process, other test classes' included (they run in
    /// parallel); only those recorded inside this test's grain calls count: the calls carry a marker in their
    /// <see cref="RequestContext"/>, which Orleans flows into the grain turn where the counter is incremented.</summary>
    private const string MarkerKey = "metrics-test";

    [Fact]
    public async Task IssuanceEventsAndRefusals_AreCounted_OncePerCall()
    {
        var marker = Guid.NewGuid().ToString("N");
        var seen = new Dictionary<string, long>(StringComparer.Ordinal);
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == LicenseMetrics.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (RequestContext.Get(MarkerKey) as string != marker)
            {
                return;
            }

            var key = instrument.Name;
            foreach (var tag in tags)
            {
                key += $" {tag.Key}={tag.Value}";
            }

            lock (seen)
            {
                seen[key] = seen.GetValueOrDefault(key) + value;
            }
        });
        listener.Start();

        await LicenseWorld.SeedAsync(fixture.Client);
        var holder = LicenseWorld.NewHolder();
        var grain = fixture.Client.GetGrain<ILicenseGrain>(LicenseWorld.Number(LicenseWorld.NewSerial()));
        RequestContext.Set(MarkerKey, marker);
        try
        {
            await grain.IssueAsync(LicenseWorld.Issue(holder, TestCalendar.Today), LicenseWorld.Issuer);
            await grain.ApplyAsync(new LifecycleEvent(LicenseEventTypes.Revoke, "吊销"), LicenseWorld.Issuer);
            await Assert.ThrowsAsync<Errors.DomainException>(() => grain.ApplyAsync(new LifecycleEvent(LicenseEventTypes.Reinstate, "x"), LicenseWorld.Issuer));
        }
        finally
        {
            RequestContext.Remove(MarkerKey);
        }

        lock (seen)
        {
            Assert.Equal(
                new Dictionary<string, long>(StringComparer.Ordinal)
                {
                    ["licenses.issued"] = 1,
                    ["licenses.events type=revoke"] = 1,
                    [$"licenses.rejected code={LifecycleCodes.InvalidTransition}"] = 1,
                },
                seen);
        }
    }
}
