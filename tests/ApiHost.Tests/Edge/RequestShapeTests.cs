using System.Net;
using System.Text;
using System.Text.Json;
using OrleansLicenses.Tests.Infrastructure;

namespace OrleansLicenses.Tests.Edge;

/// <summary>Requests the framework cannot read get problem+json 400/413/415, never 500.</summary>
[Collection(ApiCollection.Name)]
public sealed class RequestShapeTests(ApiFixture fixture)
{
    [Fact]
    public async Task MalformedJson_Is400Problem()
    {
        using var admin = await fixture.AsAdminAsync();
        using var response = await admin.PostAsync("/api/clients", new StringContent("{\"name\": \"x\", \"role\": ", Encoding.UTF8, "application/json"));
        await ProblemAssert.IsProblem(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task DuplicateJsonKeys_Are400Problem()
    {
        using var admin = await fixture.AsAdminAsync();
        using var response = await admin.PostAsync("/api/clients",
            new StringContent("{\"name\":\"x\",\"role\":\"sync\",\"role\":\"admin\",\"regionCode\":\"230100\"}", Encoding.UTF8, "application/json"));
        await ProblemAssert.IsProblem(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task WrongContentType_Is415Problem()
    {
        using var admin = await fixture.AsAdminAsync();
        using var response = await admin.PostAsync("/api/clients", new StringContent("name=x", Encoding.UTF8, "text/plain"));
        await ProblemAssert.IsProblem(response, HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task OversizedBody_Is413Problem()
    {
        using var admin = await fixture.AsAdminAsync();
        var big = "{\"name\":\"" + new string('x', 70_000) + "\",\"role\":\"admin\"}";
        using var response = await admin.PostAsync("/api/clients", new StringContent(big, Encoding.UTF8, "application/json"));
        await ProblemAssert.IsProblem(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task DeeplyNestedJson_Is400Problem()
    {
        using var admin = await fixture.AsAdminAsync();
        var deep = "{\"name\":" + string.Concat(Enumerable.Repeat("[", 100)) + string.Concat(Enumerable.Repeat("]", 100)) + "}";
        using var response = await admin.PostAsync("/api/clients", new StringContent(deep, Encoding.UTF8, "application/json"));
        await ProblemAssert.IsProblem(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task InvalidFields_AreEachNamed()
    {
        using var admin = await fixture.AsAdminAsync();
        using var response = await admin.PostAsync("/api/clients",
            new StringContent("{\"role\":\"issuer\",\"unitCode\":\"91230102MA1B2C3D8X\",\"clientId\":\"Bad Id!\"}", Encoding.UTF8, "application/json"));
        var problem = await ProblemAssert.IsProblem(response, HttpStatusCode.BadRequest, "unitCode");
        Assert.True(problem.GetProperty("errors").TryGetProperty("name", out _));
        Assert.True(problem.GetProperty("errors").TryGetProperty("clientId", out _));
    }

    [Fact]
    public async Task UnknownRoute_Is404Problem()
    {
        using var http = fixture.Anonymous();
        using var response = await http.GetAsync("/api/nothing-here");
        await ProblemAssert.IsProblem(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task OpenApiDocument_AndReferencePage_AreServed()
    {
        using var http = fixture.Anonymous();
        using var doc = await http.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, doc.StatusCode);
        Assert.Contains("/api/auth/token", await doc.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var page = await http.GetAsync("/scalar");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }

    [Fact]
    public async Task Dashboard_WithoutAdminToken_IsRefusedOffLoopback_AndAdminMayOpenIt()
    {
        // The in-memory test server has no remote address, so only the admin path applies here.
        using var anonymous = fixture.Anonymous();
        using var refused = await anonymous.GetAsync("/dashboard/");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        using var admin = await fixture.AsAdminAsync();
        using var allowed = await admin.GetAsync("/dashboard/");
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    [Fact]
    public async Task Dashboard_AnswersAMalformedRouteValueWith400_AndIsNotInTheOpenApiDocument()
    {
        using var admin = await fixture.AsAdminAsync();
        using var malformed = await admin.GetAsync("/dashboard/SiloProperties/not-a-silo-address");
        await ProblemAssert.IsProblem(malformed, HttpStatusCode.BadRequest);

        using var anonymous = fixture.Anonymous();
        var paths = JsonDocument.Parse(await anonymous.GetStringAsync("/openapi/v1.json")).RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.NotEmpty(paths);
        Assert.DoesNotContain(paths, p => p.StartsWith("/dashboard", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DashboardGrainStateReads_AreAudited_WithTheCitizenIdMasked()
    {
        using var admin = await fixture.AsAdminAsync();
        var marker = $"{Random.Shared.Next(100000, 999999)}";
        using var read = await admin.GetAsync($"/dashboard/GrainState?grainId=111:230102198506151234&grainType=OrleansLicenses.Holders.HolderGrain&m={marker}");
        Assert.NotEqual(HttpStatusCode.Unauthorized, read.StatusCode);
        var resource = (string?)await fixture.ScalarAsync(
            "SELECT resource FROM audit_records WHERE kind = 'read' AND resource LIKE $1 AND outcome <> 'attempted'", $"/dashboard/GrainState%m={marker}%");
        Assert.NotNull(resource);
        Assert.DoesNotContain("230102198506151234", resource, StringComparison.Ordinal);
    }
}
