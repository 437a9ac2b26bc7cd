using System.Net;
using System.Net.Http.Json;
using OrleansLicenses.Tests.Infrastructure;
using OrleansLicenses.Tests.Licenses;

namespace OrleansLicenses.Tests.Operations;

/// <summary>The Prometheus scrape endpoint: admins only, and it carries the platform's own instruments.</summary>
[Collection(ApiCollection.Name)]
public sealed class MetricsEndpointTests(ApiFixture fixture)
{
    private const string Path = "/api/admin/metrics";

    [Fact]
    public async Task Anonymous_Is401_AndAnIssuer_Is403()
    {
        using var anonymous = fixture.Anonymous();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(Path)).StatusCode);

        using var admin = await fixture.AsAdminAsync();
        await Demo.SeedAsync(admin);
        var (id, secret) = await fixture.RegisterClientAsync("issuer", Demo.HarbinMarket);
        using var issuer = await fixture.AsClientAsync(id, secret);
        Assert.Equal(HttpStatusCode.Forbidden, (await issuer.GetAsync(Path)).StatusCode);
    }

    [Fact]
    public async Task AfterAnIssuance_TheScrapeShowsIssuanceLatencyRequestDurationsAndAuditBatches()
    {
        using var admin = await fixture.AsAdminAsync();
        await Demo.SeedAsync(admin);
        var (id, secret) = await fixture.RegisterClientAsync("issuer", Demo.HarbinMarket);
        using var issuer = await fixture.AsClientAsync(id, secret);
        using var issued = await issuer.PostAsJsonAsync("/api/licenses", LicenseApiTests.IssueBody(LicenseApiTests.NewCompany()));
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);

        var auditBefore = await fixture.ScalarAsync("SELECT count(*) FROM audit_records WHERE resource LIKE '%metrics%'");
        using var scrape = await admin.GetAsync(Path);
        Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
        Assert.StartsWith("text/plain", scrape.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        var text = await scrape.Content.ReadAsStringAsync();

        Assert.Matches(@"licenses_issuance_duration_seconds_count\{[^}]*outcome=""issued""[^}]*\} [1-9]", text);
        Assert.Contains("http_server_request_duration_seconds_bucket", text, StringComparison.Ordinal);
        Assert.Matches(@"audit_batch_size_count(\{[^}]*\})? [1-9]", text);
        // The figures name no person: a scrape is not an audited read.
        Assert.Equal(auditBefore, await fixture.ScalarAsync("SELECT count(*) FROM audit_records WHERE resource LIKE '%metrics%'"));
    }
}
