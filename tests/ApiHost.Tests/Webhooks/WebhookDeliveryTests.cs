using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using OrleansLicenses.Tests.Infrastructure;

namespace OrleansLicenses.Tests.Webhooks;

/// <summary>Issue 12, webhook delivery: a unit's notifications posted signed to its endpoint, retried with backoff, failed after the last attempt.</summary>
public sealed class WebhookDeliveryTests(WebhookFixture fixture) : IClassFixture<WebhookFixture>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private const string Secret = "harbin-market-webhook-secret-01";

    private static async Task ConfigureAsync(HttpClient client, string url)
    {
        using var response = await client.PutAsJsonAsync($"/api/units/{Demo.HarbinMarket}/webhook", new { url, secret = Secret });
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    private static string Expected(string timestamp, byte[] body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), (byte[])[.. Encoding.ASCII.GetBytes(timestamp + "."), .. body]));

    [Fact]
    public async Task Notice_IsPostedSigned_AndAReceiverThatFailsTwiceGetsItOnTheThirdAttempt()
    {
        var (admin, issuer, holder, licenseId) = await fixture.WorldAsync();
        await using var receiver = new WebhookReceiver(n => n <= 2 ? HttpStatusCode.InternalServerError : HttpStatusCode.NoContent);
        await ConfigureAsync(issuer, receiver.Url);

        var correctionId = await WebhookFixture.FileAsync(holder, licenseId);
        var attempts = new[] { await receiver.NextAsync(Bound), await receiver.NextAsync(Bound), await receiver.NextAsync(Bound) };
        Assert.Equal([HttpStatusCode.InternalServerError, HttpStatusCode.InternalServerError, HttpStatusCode.NoContent], attempts.Select(a => a.Answered));
        // Every attempt is the same delivery, the same bytes, each signed over its own timestamp and the exact body.
        Assert.Single(attempts.Select(a => a.Delivery).Distinct());
        Assert.Single(attempts.Select(a => Convert.ToBase64String(a.Body)).Distinct());
        foreach (var a in attempts)
        {
            Assert.Equal(Expected(a.Timestamp!, a.Body), a.Signature);
            Assert.InRange(long.Parse(a.Timestamp!, System.Globalization.CultureInfo.InvariantCulture),
                fixture.Clock.GetUtcNow().AddMinutes(-5).ToUnixTimeSeconds(), fixture.Clock.GetUtcNow().ToUnixTimeSeconds());
            Assert.StartsWith("application/json", a.ContentType, StringComparison.Ordinal);
        }

        Assert.NotEqual(Expected(attempts[2].Timestamp!, [.. attempts[2].Body, (byte)' ']), attempts[2].Signature);
        var body = JsonDocument.Parse(attempts[2].Body).RootElement;
        Assert.Equal((correctionId, "filed", Demo.HarbinMarket, "notification"),
            (body.GetProperty("correctionId").GetString(), body.GetProperty("kind").GetString(), body.GetProperty("unitCode").GetString(), body.GetProperty("type").GetString()));
        var notice = await fixture.ScalarAsync("SELECT id::text FROM notifications WHERE correction_id = $1 AND recipient = $2", correctionId, $"unit:{Demo.HarbinMarket}");
        Assert.Equal(notice, body.GetProperty("id").GetString());
        Assert.Equal(notice, attempts[2].Delivery);

        Assert.Equal(3, await fixture.AwaitDeliveryAsync(correctionId, "delivered", Bound));
        using var shown = await issuer.GetAsync($"/api/units/{Demo.HarbinMarket}/webhook");
        var text = await shown.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, shown.StatusCode);
        Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", text, StringComparison.OrdinalIgnoreCase);
        var summary = JsonDocument.Parse(text).RootElement;
        Assert.Equal((true, receiver.Url), (summary.GetProperty("configured").GetBoolean(), summary.GetProperty("url").GetString()));
        Assert.True(summary.GetProperty("delivered").GetInt64() >= 1);
        // The secret is stored encrypted, not as its text.
        var stored = (byte[])(await fixture.ScalarAsync("SELECT secret FROM unit_webhooks WHERE unit_code = $1", Demo.HarbinMarket))!;
        Assert.DoesNotContain(Secret, Encoding.UTF8.GetString(stored), StringComparison.Ordinal);
        admin.Dispose();
    }

    [Fact]
    public async Task DeliveryThatKeepsFailing_StopsAfterMaxAttempts_AndIsShownFailedToTheUnit()
    {
        var (admin, issuer, holder, licenseId) = await fixture.WorldAsync();
        await using var receiver = new WebhookReceiver(_ => HttpStatusCode.ServiceUnavailable);
        await ConfigureAsync(admin, receiver.Url);

        var correctionId = await WebhookFixture.FileAsync(holder, licenseId);
        Assert.Equal(3, await fixture.AwaitDeliveryAsync(correctionId, "failed", Bound));
        using var listed = await issuer.GetAsync($"/api/units/{Demo.HarbinMarket}/webhook/deliveries?status=failed");
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        var failed = (await listed.ReadJson()).GetProperty("items").EnumerateArray().Single(d => d.GetProperty("correctionId").GetString() == correctionId);
        Assert.Equal((3, 503), (failed.GetProperty("attempts").GetInt32(), failed.GetProperty("lastStatus").GetInt32()));
        // Exactly three attempts reached the receiver: none after the delivery was given up.
        Assert.Equal(3, receiver.Count);
        admin.Dispose();
    }

    [Fact]
    public async Task BadConfiguration_Is400NamingTheField_OtherUnitsGet404_ChangesAreAudited()
    {
        var (admin, issuer, holder, _) = await fixture.WorldAsync();
        var path = $"/api/units/{Demo.HarbinMarket}/webhook";
        foreach (var url in new[] { "not a url", "/relative/hook", "ftp://example.org/hook", "https://user:pw@example.org/hook", "http://example.org/hook#x" })
        {
            await ProblemAssert.IsProblem(await issuer.PutAsJsonAsync(path, new { url, secret = Secret }), HttpStatusCode.BadRequest, "url");
        }

        await ProblemAssert.IsProblem(await issuer.PutAsJsonAsync(path, new { url = "https://example.org/hook" }), HttpStatusCode.BadRequest, "secret");
        await ProblemAssert.IsProblem(await issuer.PutAsJsonAsync(path, new { url = "https://example.org/hook", secret = "short" }), HttpStatusCode.BadRequest, "secret");
        await ProblemAssert.IsProblem(await issuer.PutAsJsonAsync("/api/units/BAD/webhook", new { url = "https://example.org/hook", secret = Secret }),
            HttpStatusCode.BadRequest, "unitCode");

        var (otherId, otherSecret) = await fixture.RegisterClientAsync("issuer", Demo.QiqiharMarket);
        using var other = await fixture.AsClientAsync(otherId, otherSecret);
        await ProblemAssert.IsProblem(await other.PutAsJsonAsync(path, new { url = "https://example.org/hook", secret = Secret }), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblem(await other.GetAsync(path), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblem(await other.DeleteAsync(path), HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.Forbidden, (await holder.PutAsJsonAsync(path, new { url = "https://example.org/hook", secret = Secret })).StatusCode);

        await ConfigureAsync(issuer, "https://example.org/hook");
        Assert.Equal(HttpStatusCode.NoContent, (await issuer.DeleteAsync(path)).StatusCode);
        var after = await (await issuer.GetAsync(path)).ReadJson();
        Assert.False(after.GetProperty("configured").GetBoolean());
        foreach (var action in new[] { "ConfigureUnitWebhook", "RemoveUnitWebhook" })
        {
            Assert.True((long)(await fixture.ScalarAsync("SELECT count(*) FROM audit_records WHERE action = $1 AND outcome <> 'attempted'", action))! > 0, action);
        }

        admin.Dispose();
    }
}
