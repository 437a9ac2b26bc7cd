using System.Net;
using System.Net.Http.Json;
using OrleansLicenses.Tests.Infrastructure;

namespace OrleansLicenses.Tests.Auth;

[Collection(ApiCollection.Name)]
public sealed class ClientRegistrationTests(ApiFixture fixture)
{
    [Fact]
    public async Task AnAdminClientWithARegion_Is400NamingRegionCode_AndNothingIsRegistered()
    {
        using var admin = await fixture.AsAdminAsync();
        var clientId = $"admin-region-{Guid.NewGuid():N}"[..40];
        using var response = await admin.PostAsJsonAsync("/api/clients", new { clientId, name = "区域管理员", role = "admin", regionCode = "230100" });
        await ProblemAssert.IsValidationProblem(response, "regionCode");
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/clients/{clientId}")).StatusCode);

        // Without the region the same administrator client is registered.
        using var plain = await admin.PostAsJsonAsync("/api/clients", new { clientId, name = "管理员", role = "admin" });
        Assert.Equal(HttpStatusCode.Created, plain.StatusCode);
    }
}
