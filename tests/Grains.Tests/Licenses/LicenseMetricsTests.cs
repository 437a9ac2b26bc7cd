using System.Diagnostics.Metrics;
using OrleansLicenses.Hosting;
using OrleansLicenses.Licenses;
using OrleansLicenses.Tests.Cluster;

namespace OrleansLicenses.Tests.Licenses;

[Collection(PostgresClusterCollection.Name)]
public sealed class LicenseMetricsTests(PostgresClusterFixture fixture)
{
    [Fact]
    public async Task IssuanceEventsAndRefusals_AreCounted()
    {
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
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            lock (seen)
            {
                seen[instrument.Name] = seen.GetValueOrDefault(instrument.Name) + value;
            }
        });
        listener.Start();

        await LicenseWorld.SeedAsync(fixture.Client);
        var holder = LicenseWorld.NewHolder();
        var grain = fixture.Client.GetGrain<ILicenseGrain>(LicenseWorld.Number(LicenseWorld.NewSerial()));
        await grain.IssueAsync(LicenseWorld.Issue(holder, new DateOnly(2026, 11, 28)), LicenseWorld.Issuer);
        await grain.ApplyAsync(new LifecycleEvent(LicenseEventTypes.Revoke, "吊销"), LicenseWorld.Issuer);
        await Assert.ThrowsAsync<Errors.DomainException>(() => grain.ApplyAsync(new LifecycleEvent(LicenseEventTypes.Reinstate, "x"), LicenseWorld.Issuer));

        lock (seen)
        {
            Assert.True(seen.GetValueOrDefault("licenses.issued") >= 1);
            Assert.True(seen.GetValueOrDefault("licenses.events") >= 1);
            Assert.True(seen.GetValueOrDefault("licenses.rejected") >= 1);
        }
    }
}
