using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansLicenses.Tests.Infrastructure;

namespace OrleansLicenses.Tests.Auth;

/// <summary>Clients can be revoked (issue 13): disabling a client or rotating its secret stops what it held.</summary>
[Collection(ApiCollection.Name)]
public sealed class ClientRevocationTests(ApiFixture fixture)
{
    [Fact]
    public async Task Disable_StopsTheTokensTheClientHolds_AtOnce_AndItGetsNoNewOne_WithTheWrongSecretsAnswer()
    {
        var (id, secret) = await fixture.RegisterClientAsync("sync", regionCode: "230100");
        using var client = await fixture.AsClientAsync(id, secret);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/catalog/types")).StatusCode);

        using var admin = await fixture.AsAdminAsync();
        using var disabled = await admin.PostAsync($"/api/clients/{id}/disable", null);
        Assert.Equal(HttpStatusCode.OK, disabled.StatusCode);
        Assert.False((await disabled.ReadJson()).GetProperty("enabled").GetBoolean());

        // The token the client already holds: refused on the very next request.
        await ProblemAssert.IsProblem(await client.GetAsync("/api/catalog/types"), HttpStatusCode.Unauthorized);

        // The right secret of a disabled client is answered exactly as a wrong secret is: no oracle.
        using var anonymous = fixture.Anonymous();
        using var right = await anonymous.PostAsync("/api/auth/token", Form(id, secret));
        using var wrong = await anonymous.PostAsync("/api/auth/token", Form(id, "not-the-secret"));
        Assert.Equal(HttpStatusCode.Unauthorized, right.StatusCode);
        Assert.Equal(Comparable(await wrong.Content.ReadAsStringAsync()), Comparable(await right.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task RotateSecret_ShowsTheNewSecretOnce_AndTheOldSecretAndTheTokensIssuedBefore_StopWorking()
    {
        var (id, oldSecret) = await fixture.RegisterClientAsync("verifier", unitCode: Demo.HarbinCentre);
        using var before = await fixture.AsClientAsync(id, oldSecret);
        Assert.Equal(HttpStatusCode.OK, (await before.GetAsync("/api/catalog/types")).StatusCode);

        using var admin = await fixture.AsAdminAsync();
        var key = Guid.NewGuid().ToString("N");
        using var rotated = await Post(admin, $"/api/clients/{id}/secret", key);
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        var body = await rotated.ReadJson();
        var newSecret = body.GetProperty("clientSecret").GetString()!;
        Assert.NotEqual(oldSecret, newSecret);
        Assert.Equal(1, body.GetProperty("version").GetInt32());

        await ProblemAssert.IsProblem(await before.GetAsync("/api/catalog/types"), HttpStatusCode.Unauthorized);
        using var anonymous = fixture.Anonymous();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/api/auth/token", Form(id, oldSecret))).StatusCode);
        using var after = await fixture.AsClientAsync(id, newSecret);
        Assert.Equal(HttpStatusCode.OK, (await after.GetAsync("/api/catalog/types")).StatusCode);

        // A retry with the same Idempotency-Key is the first answer without the secret: it is shown once.
        using var replay = await Post(admin, $"/api/clients/{id}/secret", key);
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.True(replay.Headers.Contains("Idempotent-Replayed"));
        var replayed = await replay.ReadJson();
        Assert.Equal(JsonValueKind.Null, replayed.GetProperty("clientSecret").ValueKind);
        Assert.False(string.IsNullOrEmpty(replayed.GetProperty("notice").GetString()));
        Assert.Equal(HttpStatusCode.OK, (await after.GetAsync("/api/catalog/types")).StatusCode); // the replay rotated nothing
    }

    [Theory]
    [InlineData("disable")]
    [InlineData("secret")]
    [InlineData("enable")]
    public async Task DisableOrRotate_OfAnUnknownOrMalformedClient_Is404_AndTheTwoLookAlike(string action)
    {
        using var admin = await fixture.AsAdminAsync();
        var unknown = await ProblemAssert.IsProblem(await admin.PostAsync($"/api/clients/no-such-client/{action}", null), HttpStatusCode.NotFound);
        var malformed = await ProblemAssert.IsProblem(await admin.PostAsync($"/api/clients/NOT%20A%20CLIENT/{action}", null), HttpStatusCode.NotFound);
        Assert.Equal("client.not_found", unknown.GetProperty("code").GetString());
        Assert.Equal(Comparable(unknown.GetRawText()), Comparable(malformed.GetRawText()));
    }

    [Fact]
    public async Task Enable_OfADisabledClient_GivesANewSecretOnce_AndTheSecretItHadBefore_NeverWorksAgain()
    {
        var (id, oldSecret) = await fixture.RegisterClientAsync("sync", regionCode: "230100");
        using var admin = await fixture.AsAdminAsync();
        (await admin.PostAsync($"/api/clients/{id}/disable", null)).EnsureSuccessStatusCode();

        var key = Guid.NewGuid().ToString("N");
        using var enabled = await Post(admin, $"/api/clients/{id}/enable", key);
        Assert.Equal(HttpStatusCode.OK, enabled.StatusCode);
        var body = await enabled.ReadJson();
        var newSecret = body.GetProperty("clientSecret").GetString()!;
        Assert.NotEqual(oldSecret, newSecret);
        Assert.Equal(2, body.GetProperty("version").GetInt32());
        using var view = await admin.GetAsync($"/api/clients/{id}");
        Assert.True((await view.ReadJson()).GetProperty("enabled").GetBoolean());

        using var anonymous = fixture.Anonymous();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/api/auth/token", Form(id, oldSecret))).StatusCode);
        using var after = await fixture.AsClientAsync(id, newSecret);
        Assert.Equal(HttpStatusCode.OK, (await after.GetAsync("/api/catalog/types")).StatusCode);

        Assert.Equal(1L, await fixture.ScalarAsync("""
            SELECT count(*) FROM audit_records
            WHERE kind = 'write' AND action = 'EnableClient' AND resource = $1 AND outcome = 'succeeded' AND actor = $2
            """, $"/api/clients/{id}/enable", ApiFixture.AdminClientId));

        using var replay = await Post(admin, $"/api/clients/{id}/enable", key);
        Assert.True(replay.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(JsonValueKind.Null, (await replay.ReadJson()).GetProperty("clientSecret").ValueKind);
        var again = await ProblemAssert.IsProblem(await admin.PostAsync($"/api/clients/{id}/enable", null), HttpStatusCode.Conflict);
        Assert.Equal("client.enabled", again.GetProperty("code").GetString());
    }

    [Fact]
    public async Task RotateSecret_OfADisabledClient_Is409ClientDisabled()
    {
        var (id, _) = await fixture.RegisterClientAsync("sync", regionCode: "230100");
        using var admin = await fixture.AsAdminAsync();
        (await admin.PostAsync($"/api/clients/{id}/disable", null)).EnsureSuccessStatusCode();
        var problem = await ProblemAssert.IsProblem(await admin.PostAsync($"/api/clients/{id}/secret", null), HttpStatusCode.Conflict);
        Assert.Equal("client.disabled", problem.GetProperty("code").GetString());
    }

    [Fact]
    public async Task DisableAndRotate_AreAuditedAsWrites()
    {
        var (id, _) = await fixture.RegisterClientAsync("sync", regionCode: "230100");
        using var admin = await fixture.AsAdminAsync();
        (await admin.PostAsync($"/api/clients/{id}/secret", null)).EnsureSuccessStatusCode();
        (await admin.PostAsync($"/api/clients/{id}/disable", null)).EnsureSuccessStatusCode();
        foreach (var (action, path) in new[] { ("RotateClientSecret", $"/api/clients/{id}/secret"), ("DisableClient", $"/api/clients/{id}/disable") })
        {
            Assert.Equal(1L, await fixture.ScalarAsync("""
                SELECT count(*) FROM audit_records
                WHERE kind = 'write' AND action = $1 AND resource = $2 AND outcome = 'succeeded' AND actor = $3
                """, action, path, ApiFixture.AdminClientId));
        }
    }

    [Fact]
    public async Task AGenuineTokenWithoutJtiOrClientVersion_IsRefused()
    {
        // Signed with the platform's own key, as a token of an earlier release (no jti, no client_version) would be.
        var token = new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler().CreateToken(new Microsoft.IdentityModel.Tokens.SecurityTokenDescriptor
        {
            Issuer = "orleans-licenses",
            Audience = "orleans-licenses-api",
            IssuedAt = fixture.Clock.GetUtcNow().UtcDateTime,
            NotBefore = fixture.Clock.GetUtcNow().UtcDateTime,
            Expires = fixture.Clock.GetUtcNow().UtcDateTime.AddMinutes(5),
            Claims = new Dictionary<string, object> { ["sub"] = "admin", ["client_id"] = "admin", ["role"] = "admin" },
            SigningCredentials = new Microsoft.IdentityModel.Tokens.SigningCredentials(
                new Microsoft.IdentityModel.Tokens.SymmetricSecurityKey(Convert.FromBase64String(fixture.PlatformKey)), "HS256"),
        });
        using var http = fixture.Anonymous();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/clients/no-such-client")).StatusCode);
    }

    private static async Task<HttpResponseMessage> Post(HttpClient http, string path, string idempotencyKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path);
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        return await http.SendAsync(request);
    }

    /// <summary>A problem body without what differs per request (its trace id).</summary>
    private static string Comparable(string problem)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(problem)!.AsObject();
        node.Remove("traceId");
        return node.ToJsonString();
    }

    private static FormUrlEncodedContent Form(string id, string secret) => new(new Dictionary<string, string>
    {
        ["grant_type"] = "client_credentials",
        ["client_id"] = id,
        ["client_secret"] = secret,
    });
}
