namespace OrleansLicenses.Webhooks;

/// <summary>Settings of webhook delivery, bound from the <c>Webhooks</c> configuration section.</summary>
public sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>The name of the <see cref="System.Net.Http.IHttpClientFactory"/> client deliveries are posted with.</summary>
    public const string HttpClientName = "webhooks";

    /// <summary>How often each silo looks for due deliveries.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The wait before the second attempt; each further wait doubles, up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Attempts before a delivery is marked failed.</summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>How long one POST may take, response included.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Deliveries one silo claims per round.</summary>
    public int BatchSize { get; set; } = 20;

    /// <summary>The backoff after <paramref name="attempts"/> failed attempts.</summary>
    public TimeSpan BackoffAfter(int attempts)
    {
        var factor = Math.Pow(2, Math.Clamp(attempts - 1, 0, 30));
        var wait = InitialBackoff.TotalMilliseconds * factor;
        return wait >= MaxBackoff.TotalMilliseconds ? MaxBackoff : TimeSpan.FromMilliseconds(wait);
    }

    /// <summary>How long a claimed delivery stays with the silo that claimed it: past this, another silo may retry it
    /// (the claimer crashed). Longer than a whole round of posts.</summary>
    public TimeSpan Lease => Timeout * 2 + TimeSpan.FromSeconds(5);
}
