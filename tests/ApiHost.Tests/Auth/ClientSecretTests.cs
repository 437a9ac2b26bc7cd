using System.Net;
using System.Net.Http.Json;
using OrleansLicenses.Tests.Infrastructure;

namespace OrleansLicenses.Tests.Auth;

/// <summary>A client's secret is shown once: never kept for an Idempotency-Key replay, never stored anywhere readable.</summary>
[Collection(ApiCollection.Name)]
public sealed class ClientSecretTests(ApiFixture fixture)
{
    [Fact]
    public async Task RegisteringAClient_WithAnIdempotencyKey_ShowsTheSecretOnce_AndAReplaySaysSo()
    {
        using var admin = await fixture.AsAdminAsync();
        var key = Guid.NewGuid().ToString("N");
        var body = new { name = "重放检查系统", role = "verifier", unitCode = Demo.HarbinCentre };

        async Task<HttpResponseMessage> Register()
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/clients") { Content = JsonContent.Create(body) };
            request.Headers.Add("Idempotency-Key", key);
            return await admin.SendAsync(request);
        }

        using var first = await Register();
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var created = await first.ReadJson();
        var secret = created.GetProperty("clientSecret").GetString()!;
        Assert.False(string.IsNullOrEmpty(secret));

        using var replay = await Register();
        Assert.Equal(HttpStatusCode.Created, replay.StatusCode);
        Assert.True(replay.Headers.Contains("Idempotent-Replayed"));
        var replayed = await replay.ReadJson();
        Assert.Equal(created.GetProperty("clientId").GetString(), replayed.GetProperty("clientId").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, replayed.GetProperty("clientSecret").ValueKind);
        Assert.Contains("not shown again", replayed.GetProperty("notice").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(secret, await replay.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Nor is it anywhere in grain storage (the client keeps a salted hash; the idempotency record keeps no secret).
        Assert.Equal(0L, await fixture.ScalarAsync(
            "SELECT count(*) FROM orleansstorage WHERE position(convert_to($1, 'UTF8') in coalesce(payloadbinary, ''::bytea)) > 0", secret));
        // And the secret still works once: the client gets a token with it.
        Assert.False(string.IsNullOrEmpty(await fixture.TokenAsync(created.GetProperty("clientId").GetString()!, secret)));
    }
}
