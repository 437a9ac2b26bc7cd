using System.Net;
using OrleansLicenses.Tests.Infrastructure;

namespace OrleansLicenses.Tests.Verification;

/// <summary>A host with a tiny public limit, so the 429 path is exercised without slowing other tests.</summary>
public sealed class TightPublicLimitFixture : ApiFixture
{
    protected override int PublicPerMinute => 5;

    protected override int TokenPerMinute => 5;
}

public sealed class PublicRateLimitTests(TightPublicLimitFixture fixture) : IClassFixture<TightPublicLimitFixture>
{
    [Fact]
    public async Task TokenEndpoint_OverTheLimit_Is429WithRetryAfter()
    {
        using var anonymous = fixture.Anonymous();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 7; i++)
        {
            using var response = await anonymous.PostAsync("/api/auth/token", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = "guess",
                ["client_secret"] = $"guess-{i}",
            }));
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.NotNull(response.Headers.RetryAfter);
            }
        }

        Assert.Equal(5, statuses.Count(s => s == HttpStatusCode.Unauthorized));
        Assert.Equal(2, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
    }

    [Fact]
    public async Task PublicQuery_OverTheLimit_Is429WithRetryAfter()
    {
        using var anonymous = fixture.Anonymous();
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 8; i++)
        {
            var response = await anonymous.GetAsync("/api/public/licenses/11230000000000019J001.11230100000000027J.NOSUCH");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited = response;
            }
        }

        Assert.Equal(5, statuses.Count(s => s == HttpStatusCode.NotFound));
        Assert.NotNull(limited);
        await ProblemAssert.IsProblem(limited, HttpStatusCode.TooManyRequests);
        Assert.NotNull(limited.Headers.RetryAfter);
    }
}
