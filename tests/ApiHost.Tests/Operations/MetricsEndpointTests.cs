using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
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

    /// <summary>
    /// Every series the Grafana dashboard queries exists: it is in a scrape of this (in-process) API host and silo, or,
    /// for the platform's counters that only appear after their first event (failures, refusals), it is an instrument
    /// the sources declare. A renamed instrument breaks this test, not the operators' dashboard.
    /// </summary>
    [Fact]
    public async Task TheGrafanaDashboard_QueriesOnlySeriesTheHostsExport()
    {
        using var admin = await fixture.AsAdminAsync();
        await Demo.SeedAsync(admin);
        var sources = string.Join('\n', Directory.EnumerateFiles(System.IO.Path.Combine(RepositoryRoot.Path, "src"), "*.cs", SearchOption.AllDirectories).Select(File.ReadAllText));
        using var dashboard = JsonDocument.Parse(File.ReadAllText(System.IO.Path.Combine(RepositoryRoot.Path, "deploy", "grafana", "orleans-licenses.json")));
        var expressions = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.GetProperty("targets").EnumerateArray()).Select(t => t.GetProperty("expr").GetString()!).ToList();
        Assert.NotEmpty(expressions);

        // A histogram appears in a scrape once something was recorded and collected; the exporter also caches a
        // scrape for a moment. So: cause the events, scrape, and ask again (bounded) until every series is there.
        List<string> missing = [];
        for (var attempt = 0; attempt < 10; attempt++)
        {
            await fixture.RegisterClientAsync("verifier", Demo.HarbinMarket); // a request and a grain-state write: HTTP and storage series exist
            await Task.Delay(TimeSpan.FromMilliseconds(attempt == 0 ? 0 : 500));
            var scrape = await admin.GetStringAsync(Path);
            missing = Missing(scrape, expressions, sources);
            if (missing.Count == 0)
            {
                break;
            }
        }

        Assert.Empty(missing);
    }

    private static List<string> Missing(string scrape, List<string> expressions, string sources)
    {
        var exported = Regex.Matches(scrape, @"(?m)^# TYPE (\w+) ").Select(m => m.Groups[1].Value).ToHashSet();
        var queried = Regex.Replace(string.Join(' ', expressions), @"\bby \([^)]*\)", ""); // label lists, not series
        var missing = new List<string>();
        foreach (Match m in Regex.Matches(queried, @"\b(?:licenses|audit|http_server|orleans|db_client|dotnet)_\w+"))
        {
            var name = m.Value;
            var series = Regex.Replace(name, "_(bucket|sum|count)$", "");
            var instrument = Regex.Replace(series, "_(total|seconds)$", "").Replace('_', '.');
            var declared = (series.StartsWith("licenses_", StringComparison.Ordinal) || series.StartsWith("audit_", StringComparison.Ordinal))
                && sources.Contains($"\"{instrument}\"", StringComparison.Ordinal);
            if (!exported.Contains(name) && !exported.Contains(series) && !declared)
            {
                missing.Add(name);
            }
        }

        return missing;
    }
}
