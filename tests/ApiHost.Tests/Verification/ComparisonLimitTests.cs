using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Time.Testing;
using OrleansLicenses.Licenses;
using OrleansLicenses.Tests.Infrastructure;

namespace OrleansLicenses.Tests.Verification;

/// <summary>Issue 13: a unit cannot walk a licence's values by comparing candidate after candidate.</summary>
[Collection(ApiCollection.Name)]
public sealed class ComparisonLimitTests(ApiFixture fixture)
{
    [Fact]
    public async Task AUnitsComparisonsAgainstOneLicence_AreLimitedPerHour_WhileVerifyingGoesOn()
    {
        using var w = await VerificationWorld.SetUpAsync(fixture);
        object Body(string candidate) => new
        {
            licenseId = w.LicenseId, holder = new { idType = "001", idNumber = w.HolderCode }, matterCode = Demo.FoodMatter,
            purpose = "办理食品经营许可变更", compare = new Dictionary<string, string> { ["businessScope"] = candidate },
        };

        for (var i = 0; i < ComparisonBudget.DefaultPerHour; i++)
        {
            using var answered = await w.InScopeHall.PostAsJsonAsync("/api/verifications", Body($"candidate {i}"));
            Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        }

        using var refused = await w.InScopeHall.PostAsJsonAsync("/api/verifications", Body("one more"));
        var problem = await ProblemAssert.IsProblem(refused, HttpStatusCode.TooManyRequests);
        Assert.Equal("verification.comparison_limit", problem.GetProperty("code").GetString());
        Assert.True(refused.Headers.RetryAfter is not null);

        // A verification without comparison is not limited by it.
        using var verified = await w.InScopeHall.PostAsJsonAsync("/api/verifications", new
        {
            licenseId = w.LicenseId, holder = new { idType = "001", idNumber = w.HolderCode }, matterCode = Demo.FoodMatter, purpose = "办理食品经营许可变更",
        });
        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
    }

    [Fact]
    public void TheBudget_RefillsAsTheHourMoves_PerUnit()
    {
        var time = new FakeTimeProvider(TestCalendar.Clock.GetUtcNow());
        var budget = new ComparisonBudget(2);
        budget.Spend("A", time.GetUtcNow());
        time.Advance(TimeSpan.FromMinutes(30));
        budget.Spend("A", time.GetUtcNow());
        Assert.False(budget.Allows("A", time.GetUtcNow()));
        Assert.True(budget.Allows("B", time.GetUtcNow()));
        time.Advance(TimeSpan.FromMinutes(31));
        Assert.True(budget.Allows("A", time.GetUtcNow()));
    }
}
