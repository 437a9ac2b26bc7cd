using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OrleansLicenses.Webhooks;

/// <summary>
/// Drains the webhook outbox on every silo: claims due deliveries (skipping those another silo holds), posts each body
/// signed with its unit's secret, and records the result. A failed attempt waits <see cref="WebhookOptions.BackoffAfter"/>
/// and is tried again, up to <see cref="WebhookOptions.MaxAttempts"/>, then marked failed (the unit sees it in
/// <c>GET /api/units/{unitCode}/webhook/deliveries</c>). Delivery is at least once: a receiver deduplicates by
/// <c>X-OL-Delivery</c>. Nothing in the correction workflow waits for this.
/// </summary>
public sealed partial class WebhookDispatcher(
    WebhookStore store, WebhookSecrets secrets, IHttpClientFactory clients, IOptions<WebhookOptions> options, TimeProvider time,
    ILogger<WebhookDispatcher> logger) : BackgroundService
{
    private const int MaxErrorLength = 300;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var claimed = 0;
                try
                {
                    claimed = await RoundAsync(o, stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The database may be away for a moment; claimed rows come back when their lease ends.
                    LogRoundFailed(logger, e);
                }

                if (claimed < o.BatchSize)
                {
                    await Task.Delay(o.PollInterval, time, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task<int> RoundAsync(WebhookOptions o, CancellationToken ct)
    {
        var due = await store.ClaimAsync(time.GetUtcNow(), o.Lease, o.BatchSize, ct);
        await Task.WhenAll(due.Select(d => DeliverAsync(d, o, ct)));
        return due.Count;
    }

    private async Task DeliverAsync(WebhookStore.Claimed delivery, WebhookOptions o, CancellationToken ct)
    {
        var (status, error) = await PostAsync(delivery, o, ct);
        var now = time.GetUtcNow();
        if (error is null)
        {
            await store.DeliveredAsync(delivery.Id, status!.Value, now, ct);
            return;
        }

        var last = delivery.Attempt >= o.MaxAttempts;
        await store.AttemptFailedAsync(delivery.Id, status, error, last, now + o.BackoffAfter(delivery.Attempt), now, ct);
        if (last)
        {
            LogGaveUp(logger, delivery.Id, delivery.UnitCode, delivery.Attempt, error);
        }
        else
        {
            LogAttemptFailed(logger, delivery.Id, delivery.UnitCode, delivery.Attempt, error);
        }
    }

    /// <summary>One attempt: the receiver's status, and an error unless it answered 2xx.</summary>
    private async Task<(int? Status, string? Error)> PostAsync(WebhookStore.Claimed delivery, WebhookOptions o, CancellationToken ct)
    {
        string secret;
        try
        {
            secret = secrets.Unprotect(delivery.UnitCode, delivery.Secret);
        }
        catch (CryptographicException)
        {
            return (null, "the unit's webhook secret cannot be decrypted with this silo's key-encryption key");
        }

        var body = Encoding.UTF8.GetBytes(delivery.Body);
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add(WebhookSignature.TimestampHeader, timestamp);
        request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(secret, timestamp, body));
        request.Headers.Add(WebhookSignature.DeliveryHeader, delivery.Id.ToString());
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(o.Timeout);
        try
        {
            using var response = await clients.CreateClient(WebhookOptions.HttpClientName)
                .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var status = (int)response.StatusCode;
            return response.IsSuccessStatusCode ? (status, null) : (status, $"HTTP {status}");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (null, $"no answer within {o.Timeout.TotalSeconds:0.#} s");
        }
        catch (HttpRequestException e)
        {
            var message = e.Message.Length > MaxErrorLength ? e.Message[..MaxErrorLength] : e.Message;
            return (null, message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook delivery round failed; it is retried")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook delivery {DeliveryId} to unit {UnitCode}: attempt {Attempt} failed ({Error}); retrying later")]
    private static partial void LogAttemptFailed(ILogger logger, Guid deliveryId, string unitCode, int attempt, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook delivery {DeliveryId} to unit {UnitCode} failed after {Attempt} attempts ({Error})")]
    private static partial void LogGaveUp(ILogger logger, Guid deliveryId, string unitCode, int attempt, string error);
}
