using System.Net;
using OrleansLicenses.Tests.Infrastructure;

namespace OrleansLicenses.Tests.Edge;

/// <summary>Its own cluster, because every silo is killed.</summary>
public sealed class ClusterDownFixture : ApiFixture;

public sealed class ClusterDownTests(ClusterDownFixture fixture) : IClassFixture<ClusterDownFixture>
{
    [Fact]
    public async Task WhenEverySiloIsDown_RequestsAre503WithRetryAfter_NeverA500()
    {
        using var admin = await fixture.AsAdminAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/catalog/types/{Demo.FoodType}")).StatusCode);

        while (fixture.Silos.Hosts.Count > 0)
        {
            await fixture.Silos.KillAsync(0);
        }

        var deadline = DateTime.UtcNow.AddSeconds(30);
        HttpResponseMessage response;
        do
        {
            response = await admin.GetAsync($"/api/catalog/types/{Demo.FoodType}");
        }
        while (response.StatusCode == HttpStatusCode.NotFound && DateTime.UtcNow < deadline);

        await ProblemAssert.IsProblem(response, HttpStatusCode.ServiceUnavailable);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await fixture.Anonymous().GetAsync("/health/ready")).StatusCode);
    }
}
