using System.Net;
using System.Net.Http.Json;

namespace OrleansLicenses.Tests.Webhooks;

/// <summary>The outbox is durable: a delivery still pending when every silo dies is delivered by the silo that starts next.</summary>
public sealed class WebhookRestartTests(WebhookRestartTests.Fixture fixture) : IClassFixture<WebhookRestartTests.Fixture>
{
    /// <summary>Enough attempts that the delivery is still pending when the cluster goes down.</summary>
    public sealed class Fixture : WebhookFixture
    {
        protected override int MaxAttempts => 1000;
    }

    [Fact]
    public async Task PendingDelivery_SurvivesAWholeClusterCrash_AndIsDeliveredAfterTheRestart()
    {
        var (admin, issuer, holder, licenseId) = await fixture.WorldAsync();
        await using var receiver = new WebhookReceiver(_ => HttpStatusCode.ServiceUnavailable);
        (await issuer.PutAsJsonAsync($"/api/units/{Infrastructure.Demo.HarbinMarket}/webhook",
            new { url = receiver.Url, secret = "restart-test-secret-0123456789" })).EnsureSuccessStatusCode();
        var correctionId = await WebhookFixture.FileAsync(holder, licenseId);
        var first = await receiver.NextAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, first.Answered);

        while (fixture.Silos.Hosts.Count > 0)
        {
            await fixture.Silos.KillAsync(0);
        }

        Assert.Equal("pending", await fixture.ScalarAsync("SELECT status FROM webhook_deliveries WHERE correction_id = $1", correctionId));
        receiver.Respond = _ => HttpStatusCode.OK;
        await fixture.Silos.AddSiloAsync(fixture.SiloConnectionString);

        WebhookReceiver.Received delivered;
        do
        {
            delivered = await receiver.NextAsync(TimeSpan.FromSeconds(60));
        }
        while (delivered.Answered != HttpStatusCode.OK);

        Assert.Equal(first.Delivery, delivered.Delivery);
        Assert.Equal(first.Body, delivered.Body);
        Assert.True(await fixture.AwaitDeliveryAsync(correctionId, "delivered", TimeSpan.FromSeconds(30)) >= 2);
        admin.Dispose();
    }
}
