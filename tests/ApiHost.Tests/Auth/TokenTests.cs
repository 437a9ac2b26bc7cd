using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OrleansLicenses.Tests.Infrastructure;

namespace OrleansLicenses.Tests.Auth;

[Collection(ApiCollection.Name)]
public sealed class TokenTests(ApiFixture fixture)
{
    [Fact]
    public async Task Token_WithWrongSecret_Is401InvalidClient()
    {
        using var http = fixture.Anonymous();
        using var response = await http.PostAsync("/api/auth/token", Form(ApiFixture.AdminClientId, "wrong-secret"));
        var problem = await ProblemAssert.IsProblem(response, HttpStatusCode.Unauthorized);
        Assert.Equal("invalid_client", problem.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Token_ForUnknownClient_IsSameAnswerAsWrongSecret()
    {
        using var http = fixture.Anonymous();
        using var response = await http.PostAsync("/api/auth/token", Form("nobody-registered-this", "x"));
        var problem = await ProblemAssert.IsProblem(response, HttpStatusCode.Unauthorized);
        Assert.Equal("invalid_client", problem.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Token_WithOtherGrantType_Is400()
    {
        using var http = fixture.Anonymous();
        using var response = await http.PostAsync("/api/auth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["client_id"] = ApiFixture.AdminClientId,
            ["client_secret"] = fixture.AdminSecret,
        }));
        var problem = await ProblemAssert.IsProblem(response, HttpStatusCode.BadRequest);
        Assert.Equal("unsupported_grant_type", problem.GetProperty("error").GetString());
    }

    [Fact]
    public async Task AdminRegisteredClient_GetsTokenWithItsRole()
    {
        var (id, secret) = await fixture.RegisterClientAsync("verifier", unitCode: "11230100000000035D");
        using var verifier = await fixture.AsClientAsync(id, secret);

        // Authenticated (not 401) but not an administrator: 403.
        using var response = await verifier.PostAsJsonAsync("/api/clients", new { name = "x", role = "admin" });
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);

        using var admin = await fixture.AsAdminAsync();
        using var read = await admin.GetAsync($"/api/clients/{id}");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        var body = await read.ReadJson();
        Assert.Equal("verifier", body.GetProperty("role").GetString());
        Assert.DoesNotContain("secret", (await read.Content.ReadAsStringAsync()).ToLowerInvariant(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RegisteredClient_IsLockedOut_AfterRepeatedWrongSecrets()
    {
        var (id, secret) = await fixture.RegisterClientAsync("sync", regionCode: "230100");
        using var http = fixture.Anonymous();
        for (var i = 0; i < 5; i++)
        {
            using var wrong = await http.PostAsync("/api/auth/token", Form(id, "wrong"));
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using var locked = await http.PostAsync("/api/auth/token", Form(id, secret));
        Assert.Equal(HttpStatusCode.Unauthorized, locked.StatusCode);
        Assert.NotNull(locked.Headers.RetryAfter);
    }

    [Fact]
    public async Task ASpoofedForwardedFor_WithNoProxyConfigured_IsIgnored_TheTrailHasThePeersAddress()
    {
        var (id, _) = await fixture.RegisterClientAsync("sync", regionCode: "230100");
        using var http = fixture.Anonymous();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/token") { Content = Form(id, "wrong") };
        request.Headers.Add("X-Forwarded-For", "198.51.100.77");
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(request)).StatusCode);
        Assert.Equal(1L, await fixture.ScalarAsync("SELECT count(*) FROM audit_records WHERE action = 'IssueToken' AND actor = $1", id));
        Assert.Equal(0L, await fixture.ScalarAsync("SELECT count(*) FROM audit_records WHERE client_address = '198.51.100.77'"));
    }

    [Fact]
    public async Task ForgedToken_SignedWithAnotherKey_Is401()
    {
        var token = Mint(RandomNumberGenerator.GetBytes(32), "orleans-licenses", fixture.Clock.GetUtcNow().UtcDateTime.AddMinutes(5));
        using var response = await Send(token);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task ExpiredToken_Is401()
    {
        var token = Mint(Convert.FromBase64String(fixture.PlatformKey), "orleans-licenses", fixture.Clock.GetUtcNow().UtcDateTime.AddMinutes(-10));
        using var response = await Send(token);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task ValidToken_MintedHere_IsAccepted_SoTheRejectionsAboveMeanSomething()
    {
        var token = Mint(Convert.FromBase64String(fixture.PlatformKey), "orleans-licenses", fixture.Clock.GetUtcNow().UtcDateTime.AddMinutes(5));
        using var response = await Send(token);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task AlgNoneToken_Is401()
    {
        static string B64(string json) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json));
        var exp = fixture.Clock.GetUtcNow().AddMinutes(5).ToUnixTimeSeconds();
        var token = $"{B64("{\"alg\":\"none\",\"typ\":\"JWT\"}")}.{B64($"{{\"sub\":\"admin\",\"client_id\":\"admin\",\"role\":\"admin\",\"iss\":\"orleans-licenses\",\"aud\":\"orleans-licenses-api\",\"exp\":{exp}}}")}.";
        using var response = await Send(token);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task NoToken_OnAdminEndpoint_Is401()
    {
        using var http = fixture.Anonymous();
        using var response = await http.GetAsync("/api/clients/admin");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    /// <summary>Calls an admin-only read of a client that does not exist: 404 means the token was accepted as admin.</summary>
    private async Task<HttpResponseMessage> Send(string token)
    {
        using var http = fixture.Anonymous();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await http.GetAsync("/api/clients/no-such-client");
    }

    private static string Mint(byte[] key, string issuer, DateTime expires) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = issuer,
        Audience = "orleans-licenses-api",
        NotBefore = expires.AddMinutes(-20),
        IssuedAt = expires.AddMinutes(-20),
        Expires = expires,
        Claims = new Dictionary<string, object>
        {
            ["sub"] = "admin", ["client_id"] = "admin", ["role"] = "admin", ["jti"] = Guid.NewGuid().ToString("N"), ["client_version"] = 0,
        },
        SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(key), SecurityAlgorithms.HmacSha256),
    });

    private static FormUrlEncodedContent Form(string id, string secret) => new(new Dictionary<string, string>
    {
        ["grant_type"] = "client_credentials",
        ["client_id"] = id,
        ["client_secret"] = secret,
    });
}
