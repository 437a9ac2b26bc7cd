using Microsoft.Extensions.Time.Testing;
using OrleansLicenses.Errors;
using OrleansLicenses.Holders;
using OrleansLicenses.Licenses;

namespace OrleansLicenses.Tests.Licenses;

/// <summary>Expiry is evaluated on read with the injected clock: no batch job, no write, no reminder.</summary>
public sealed class LicenseExpiryTests
{
    [Fact]
    public async Task Licence_PastItsLastValidDayInChinaTime_ReadsExpiredEverywhere_WithoutAnyWrite()
    {
        // The tests' today, 10:00 in China (UTC+8).
        var clock = TestCalendar.NewCalendar();
        var today = TestCalendar.Today;
        var lastValidDay = today.AddYears(5).AddDays(-1); // 5 years, last day inclusive
        var connectionString = await PlatformDatabase.CreateAsync();
        var cluster = await TestClusters.StartAsync(connectionString, configureSilo: new PlatformTestClock(clock).Register);
        try
        {
            var grains = cluster.Client;
            await LicenseWorld.SeedAsync(grains);
            var holder = LicenseWorld.NewHolder();
            var number = LicenseWorld.Number(LicenseWorld.NewSerial("EX"));
            var licence = grains.GetGrain<ILicenseGrain>(number);
            var issued = await licence.IssueAsync(LicenseWorld.Issue(holder, today), LicenseWorld.Issuer);
            Assert.Equal(lastValidDay, issued.ValidUntil);
            Assert.Equal(("valid", "01"), (issued.Status, issued.StatusCode));
            var rowBefore = Assert.Single(await LicenseWorld.StoredLicenseRows(connectionString, grains, number));

            // 23:59 in China on the last valid day (15:59 UTC): still valid.
            clock.SetUtcNow(new DateTimeOffset(lastValidDay.ToDateTime(new TimeOnly(15, 59)), TimeSpan.Zero));
            var lastDay = await licence.GetAsync(null, LicenseWorld.Issuer);
            Assert.Equal(("valid", "01"), (lastDay!.Status, lastDay.StatusCode));
            Assert.Empty(lastDay.Reasons);

            // Two minutes later it is the next day in China, though still the last valid day in UTC: expired.
            clock.Advance(TimeSpan.FromMinutes(2));
            Assert.Equal(lastValidDay, DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime));
            var expired = await licence.GetAsync(null, LicenseWorld.Issuer);
            Assert.Equal(("expired", "05"), (expired!.Status, expired.StatusCode));
            Assert.Contains("expired", expired.Reasons);
            Assert.Equal(("expired", "05"), ((await licence.InspectAsync(LicenseWorld.Admin))!.Status, (await licence.InspectAsync(LicenseWorld.Admin))!.StatusCode));
            Assert.Equal("expired", (await licence.GetAsync(null, LicenseWorld.Admin))!.Status);

            // The holder's list agrees.
            var listed = Assert.Single(await grains.GetGrain<IHolderGrain>(holder.Key).GetLicensesAsync(LicenseWorld.Admin), l => l.LicenseNumber == number);
            Assert.Equal("expired", listed.Status);

            // So do the events: an expired licence cannot be suspended, revoked or mortgaged (409).
            foreach (var type in new[] { LicenseEventTypes.Suspend, LicenseEventTypes.Revoke, LicenseEventTypes.Mortgage })
            {
                var refused = await Assert.ThrowsAsync<DomainException>(() => licence.ApplyAsync(new LifecycleEvent(type), LicenseWorld.Issuer));
                Assert.Equal((DomainErrorKind.Conflict, LifecycleCodes.InvalidTransition), (refused.Kind, refused.Code));
                Assert.Contains("expired", refused.Message, StringComparison.Ordinal);
            }

            // Nothing was written to make it expired: the stored state is the one written at issuance.
            Assert.Equal(rowBefore, Assert.Single(await LicenseWorld.StoredLicenseRows(connectionString, grains, number)));
            Assert.Single((await licence.GetHistoryAsync(LicenseWorld.Issuer))!);

            // A fresh activation (state read back from PostgreSQL) reads expired too.
            var management = cluster.Client.GetGrain<IManagementGrain>(0);
            async Task<int> LicenceActivations() => (await management.GetSimpleGrainStatistics())
                .Where(s => s.GrainType.StartsWith(typeof(LicenseGrain).FullName + ",", StringComparison.Ordinal)).Sum(s => s.ActivationCount);
            Assert.True(await LicenceActivations() > 0);
            await management.ForceActivationCollection(TimeSpan.Zero);
            await Eventually(async () => await LicenceActivations() == 0);
            Assert.Equal("expired", (await licence.GetAsync(null, LicenseWorld.Issuer))!.Status);

            // Extending it is allowed from expired and makes it valid again.
            var extended = await licence.ApplyAsync(new LifecycleEvent(LicenseEventTypes.Extend, NewValidUntil: lastValidDay.AddYears(5)), LicenseWorld.Issuer);
            Assert.Equal(("valid", "002"), (extended.Status, extended.Version));
            Assert.Equal("valid", Assert.Single(await grains.GetGrain<IHolderGrain>(holder.Key).GetLicensesAsync(LicenseWorld.Admin), l => l.LicenseNumber == number).Status);
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }

    /// <summary>Awaits a condition, polling with a bound (no fixed sleeps).</summary>
    private static async Task Eventually(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition did not hold within 30 s.");
            await Task.Delay(100);
        }
    }
}
