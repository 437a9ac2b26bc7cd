using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OrleansLicenses.ApiHost.Audit;
using OrleansLicenses.Tests.Infrastructure;

namespace OrleansLicenses.Tests.Edge;

/// <summary>
/// Floods of token-less requests are refused at the edge, before authentication, and denials are counted, not
/// audited one by one: legitimate callers elsewhere keep their answers and their audit records.
/// </summary>
[Collection(FloodCollection.Name)]
public sealed class FloodTests(FloodFixture fixture)
{
    [Fact]
    public async Task TokenlessFlood_FromOneAddress_Gets429BeforeAuthentication_WhileAnotherAddressIsServedAndAudited()
    {
        var adminToken = await fixture.TokenAsync(ApiFixture.AdminClientId, fixture.AdminSecret);
        var flooder = FloodFixture.NewAddress();
        var probe = Guid.NewGuid().ToString("N");
        using var flood = fixture.From(flooder);
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 200; i++)
        {
            var response = await flood.GetAsync($"/api/licenses/x?flood={probe}");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests && limited is null)
            {
                limited = response;
                continue;
            }

            response.Dispose();
        }

        var unauthorized = statuses.Count(s => s == HttpStatusCode.Unauthorized);
        Assert.InRange(unauthorized, FloodFixture.Burst, FloodFixture.Burst + 5); // the burst (and what replenished meanwhile)
        Assert.Equal(200 - unauthorized, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        using (limited)
        {
            var problem = await ProblemAssert.IsProblem(limited!, HttpStatusCode.TooManyRequests);
            Assert.Equal("rate.limited", problem.GetProperty("code").GetString());
            Assert.True(limited!.Headers.RetryAfter?.Delta > TimeSpan.Zero, "429 without Retry-After");
        }

        // Before authentication: even a valid token from the flooding network is refused.
        using (var sameNetwork = fixture.From(flooder, adminToken))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, (await sameNetwork.GetAsync($"/api/admin/stats?flood={probe}")).StatusCode);
        }

        // Another address with a valid token is answered, and its read is audited as usual.
        using (var legitimate = fixture.From(FloodFixture.NewAddress(), adminToken))
        {
            using var stats = await legitimate.GetAsync($"/api/admin/stats?legit={probe}");
            Assert.Equal(HttpStatusCode.OK, stats.StatusCode);
        }

        Assert.Equal(1L, await Count("SELECT count(*) FROM audit_records WHERE strpos(resource, $1) > 0 AND status = 200", $"legit={probe}"));
        // The flood left no audit record: its 401s and 429s are counts.
        Assert.Equal(0L, await Count("SELECT count(*) FROM audit_records WHERE strpos(resource, $1) > 0", $"flood={probe}"));
        await Flush();
        var network = ApiHost.Infrastructure.ClientNetwork.KeyOf(IPAddress.Parse(flooder));
        Assert.Equal((long)unauthorized, await Count("SELECT coalesce(sum(count), 0)::bigint FROM access_denials WHERE client = $1 AND status = 401", network));
        Assert.Equal(200L - unauthorized + 1, await Count("SELECT coalesce(sum(count), 0)::bigint FROM access_denials WHERE client = $1 AND status = 429", network));
    }

    [Fact]
    public async Task ManyUnauthenticatedRequests_FromOneAddress_AreOneAggregatedRowPerMinute_NotAuditRecords()
    {
        const int n = 20;
        var address = FloodFixture.NewAddress();
        var probe = Guid.NewGuid().ToString("N");
        var firstMinute = Minute(fixture.Clock.GetUtcNow());
        using (var anonymous = fixture.From(address))
        {
            for (var i = 0; i < n; i++)
            {
                using var response = await anonymous.GetAsync($"/api/licenses/x?probe={probe}");
                Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            }
        }

        var lastMinute = Minute(fixture.Clock.GetUtcNow());
        await Flush();

        Assert.Equal(0L, await Count("SELECT count(*) FROM audit_records WHERE strpos(resource, $1) > 0", probe));
        var rows = await Rows(ApiHost.Infrastructure.ClientNetwork.KeyOf(IPAddress.Parse(address)));
        Assert.Equal(n, rows.Sum(r => r.Count));
        Assert.All(rows, r => Assert.Equal((401, AuditEntryFactory.Anonymous, "GetLicense"), (r.Status, r.Actor, r.Action)));
        // One row per minute the requests fell in: one row with count n, unless they straddled a minute boundary.
        Assert.Equal(firstMinute == lastMinute ? 1 : 2, rows.Count);
        Assert.Equal(rows.Count, rows.Select(r => r.Minute).Distinct().Count());
    }

    [Fact]
    public async Task Denials_AreListedForTheOperator_SummedPerNetworkStatusAndAction_AndBadFiltersAreNamed()
    {
        const int n = 7;
        var address = FloodFixture.NewAddress();
        using (var anonymous = fixture.From(address))
        {
            for (var i = 0; i < n; i++)
            {
                using var response = await anonymous.GetAsync("/api/licenses/x");
                Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            }
        }

        await Flush();
        var network = ApiHost.Infrastructure.ClientNetwork.KeyOf(IPAddress.Parse(address));
        var adminToken = await fixture.TokenAsync(ApiFixture.AdminClientId, fixture.AdminSecret);
        using var admin = fixture.From(FloodFixture.NewAddress(), adminToken);
        using var listed = await admin.GetAsync($"/api/admin/audit/denials?client={Uri.EscapeDataString(network)}&status=401");
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        var body = await listed.ReadJson();
        var item = Assert.Single(body.GetProperty("items").EnumerateArray());
        Assert.Equal(n, item.GetProperty("count").GetInt64());
        Assert.Equal((network, 401, AuditEntryFactory.Anonymous, "GetLicense"), (item.GetProperty("client").GetString(),
            item.GetProperty("status").GetInt32(), item.GetProperty("actor").GetString(), item.GetProperty("action").GetString()));
        Assert.Equal(1, body.GetProperty("total").GetInt64());

        using var none = await admin.GetAsync($"/api/admin/audit/denials?client={Uri.EscapeDataString(network)}&status=403");
        Assert.Empty((await none.ReadJson()).GetProperty("items").EnumerateArray());
        await ProblemAssert.IsProblem(await admin.GetAsync("/api/admin/audit/denials?status=500"), HttpStatusCode.BadRequest, "status");
        await ProblemAssert.IsProblem(await admin.GetAsync("/api/admin/audit/denials?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z"),
            HttpStatusCode.BadRequest, "to");
        await ProblemAssert.IsProblem(await admin.GetAsync("/api/admin/audit/denials?from=yesterday"), HttpStatusCode.BadRequest, "from");
    }

    private static DateTime Minute(DateTimeOffset t) => new(t.UtcTicks - (t.UtcTicks % TimeSpan.TicksPerMinute), DateTimeKind.Utc);

    private Task<int> Flush() => fixture.Factory.Services.GetRequiredService<DenialFlusher>().FlushAsync();

    private async Task<long> Count(string sql, string parameter) => Convert.ToInt64(await fixture.ScalarAsync(sql, parameter), System.Globalization.CultureInfo.InvariantCulture);

    private async Task<List<(DateTime Minute, int Status, string Actor, string Action, long Count)>> Rows(string client)
    {
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT minute, status, actor, action, count FROM access_denials WHERE client = $1 ORDER BY minute", connection);
        cmd.Parameters.AddWithValue(client);
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = new List<(DateTime, int, string, string, long)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetDateTime(0), reader.GetInt32(1), reader.GetString(2), reader.GetString(3), reader.GetInt64(4)));
        }

        return rows;
    }
}
