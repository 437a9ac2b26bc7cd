using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OrleansLicenses.ApiHost.Auth;
using OrleansLicenses.Tests.Infrastructure;

namespace OrleansLicenses.Tests.Security;

/// <summary>
/// Lock-out and limits behind a proxy (issue 13): whose address counts, the bootstrap admin's lock-out, the token concurrency
/// limit; and the bound on how long another API host may accept a disabled client's token (it moves this fixture's clock).
/// </summary>
public sealed class EdgeHardeningTests(EdgeHardeningFixture fixture) : IClassFixture<EdgeHardeningFixture>
{
    [Fact]
    public async Task ASpoofedForwardedFor_FromAPeerThatIsNoProxy_IsAttributedToThePeer_SoRotatingItDoesNotEscapeTheLockOut()
    {
        var (id, secret) = await fixture.RegisterClientAsync("sync", regionCode: "230100");
        using var http = fixture.Anonymous();
        for (var i = 0; i < 5; i++)
        {
            using var wrong = await http.SendAsync(Token(id, "guess", peer: "10.9.0.7", forwardedFor: $"203.0.113.{i + 1}"));
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        // Every guess counted against the real peer, whatever it claimed to forward: locked, even with the right secret.
        using var locked = await http.SendAsync(Token(id, secret, peer: "10.9.0.7", forwardedFor: "203.0.113.99"));
        Assert.Equal(HttpStatusCode.Unauthorized, locked.StatusCode);
        Assert.NotNull(locked.Headers.RetryAfter);
        Assert.Equal(["10.9.0.7"], await AuditedAddressesAsync(id));
    }

    [Fact]
    public async Task ForwardedFor_FromTheConfiguredProxy_IsTheClientsAddress()
    {
        var (id, secret) = await fixture.RegisterClientAsync("sync", regionCode: "230100");
        using var http = fixture.Anonymous();
        for (var i = 0; i < 5; i++)
        {
            using var wrong = await http.SendAsync(Token(id, "guess", peer: EdgeHardeningFixture.Proxy, forwardedFor: "203.0.113.5"));
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(Token(id, secret, EdgeHardeningFixture.Proxy, "203.0.113.5"))).StatusCode);
        // Another client behind the same proxy is not locked out by the first one's guesses.
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(Token(id, secret, EdgeHardeningFixture.Proxy, "203.0.113.6"))).StatusCode);
        Assert.Equal(["203.0.113.5"], await AuditedAddressesAsync(id));
    }

    [Fact]
    public async Task TheBootstrapAdmin_IsLockedOut_AfterRepeatedWrongSecrets_LikeEveryClient_AndAnswersAsAWrongSecretDoes()
    {
        using var http = fixture.Anonymous();
        string? wrongBody = null;
        for (var i = 0; i < 5; i++)
        {
            using var wrong = await http.SendAsync(Token(ApiFixture.AdminClientId, $"guess-{i}", peer: "10.9.0.20"));
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            wrongBody = Comparable(await wrong.Content.ReadAsStringAsync());
        }

        using var locked = await http.SendAsync(Token(ApiFixture.AdminClientId, fixture.AdminSecret, peer: "10.9.0.20"));
        Assert.Equal(HttpStatusCode.Unauthorized, locked.StatusCode);
        Assert.NotNull(locked.Headers.RetryAfter);
        Assert.Equal(wrongBody, Comparable(await locked.Content.ReadAsStringAsync()));

        // The administrator's own address is not locked out by a stranger's guesses.
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(Token(ApiFixture.AdminClientId, fixture.AdminSecret, peer: "10.9.0.21"))).StatusCode);
    }

    [Fact]
    public async Task TheTokenEndpoint_IsBehindTheConcurrencyLimit_AndASecondRequestWhileOneIsChecked_Is429WithRetryAfter()
    {
        var endpoint = fixture.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .Single(e => e.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName == "IssueToken");
        Assert.NotNull(endpoint.Metadata.GetMetadata<TokenConcurrencyMetadata>());

        // The host's one limiter, its one permit held by a token check that has not finished (a stand-in for a slow PBKDF2).
        var limiter = fixture.Factory.Services.GetRequiredService<TokenConcurrency>();
        var release = new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = limiter.InvokeAsync(new DefaultEndpointFilterInvocationContext(new DefaultHttpContext()), _ => new ValueTask<object?>(release.Task)).AsTask();
        using var http = fixture.Anonymous();
        try
        {
            Assert.Equal(0, limiter.Statistics?.CurrentAvailablePermits);
            using var second = await http.SendAsync(Token("other", "x", peer: "10.9.0.30"));
            var problem = await ProblemAssert.IsProblem(second, HttpStatusCode.TooManyRequests);
            Assert.Equal("rate.limited", problem.GetProperty("code").GetString());
            Assert.NotNull(second.Headers.RetryAfter);
        }
        finally
        {
            release.SetResult(null);
        }

        await held;
        // Once the first is done, the permit is back and the endpoint answers again.
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(Token("other", "x", peer: "10.9.0.30"))).StatusCode);
    }

    [Fact]
    public async Task AnotherApiHost_RefusesADisabledClientsToken_OnceItsCachedStandingExpires_WithinFiveSeconds()
    {
        var (id, secret) = await fixture.RegisterClientAsync("sync", regionCode: "230100");
        var token = await fixture.TokenAsync(id, secret);
        await using var other = fixture.Factory.WithWebHostBuilder(_ => { }); // a second API host: its own cache, the same cluster (and this fixture's own clock, which the test moves)
        using var elsewhere = other.CreateClient();
        elsewhere.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        Assert.Equal(HttpStatusCode.OK, (await elsewhere.GetAsync("/api/catalog/types")).StatusCode);

        using var admin = await fixture.AsAdminAsync();
        (await admin.PostAsync($"/api/clients/{id}/disable", null)).EnsureSuccessStatusCode();

        // The documented staleness: the other host still trusts what it heard, for at most ClientStandings.MaxCacheSeconds.
        Assert.Equal(HttpStatusCode.OK, (await elsewhere.GetAsync("/api/catalog/types")).StatusCode);
        fixture.Clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(HttpStatusCode.Unauthorized, (await elsewhere.GetAsync("/api/catalog/types")).StatusCode);
    }

    private async Task<string[]> AuditedAddressesAsync(string clientId)
    {
        await using var connection = new Npgsql.NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            "SELECT DISTINCT coalesce(client_address, '') FROM audit_records WHERE action = 'IssueToken' AND actor = $1", connection);
        command.Parameters.AddWithValue(clientId);
        var addresses = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            addresses.Add(reader.GetString(0));
        }

        return [.. addresses];
    }

    private static HttpRequestMessage Token(string clientId, string secret, string peer, string? forwardedFor = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = clientId,
                ["client_secret"] = secret,
            }),
        };
        request.Headers.Add(EdgeHardeningFixture.PeerHeader, peer);
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        return request;
    }

    private static string Comparable(string problem)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(problem)!.AsObject();
        node.Remove("traceId");
        return node.ToJsonString();
    }
}
