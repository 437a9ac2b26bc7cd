using OrleansLicenses.Access;

namespace OrleansLicenses.Webhooks;

/// <summary>
/// A unit's outside endpoint for its notifications (issue 12): every notification record for the unit is posted there,
/// signed with the shared secret. Key: the unit's credit code. Admins and the unit's own issuer and verifier clients
/// configure it; anyone else is told there is no such unit.
/// </summary>
public interface IUnitWebhookGrain : IGrainWithStringKey
{
    /// <summary>Sets (or replaces) the unit's endpoint and secret; the answer never carries the secret.</summary>
    Task<WebhookView> ConfigureAsync(ConfigureWebhook command, Caller caller);

    /// <summary>Removes the unit's endpoint and cancels its pending deliveries; false when none was configured.</summary>
    Task<bool> RemoveAsync(Caller caller);
}

/// <summary>The endpoint (absolute http or https URL) and the shared secret the signatures are made with.</summary>
[GenerateSerializer, Immutable, Alias("ol.ConfigureWebhook")]
public sealed record ConfigureWebhook(
    [property: Id(0)] string Url,
    [property: Id(1)] string Secret);

/// <summary>A unit's webhook as shown to those who may configure it: never the secret.</summary>
[GenerateSerializer, Immutable, Alias("ol.WebhookView")]
public sealed record WebhookView(
    [property: Id(0)] string UnitCode,
    [property: Id(1)] string Url,
    [property: Id(2)] DateTimeOffset UpdatedAt);

/// <summary>Shape rules of a webhook configuration, shared by the edge and the grain.</summary>
public static class WebhookRules
{
    public const int MaxUrlLength = 2048;
    public const int MinSecretLength = 16;
    public const int MaxSecretLength = 256;

    /// <summary>An absolute http or https URL with a host, no user info and no fragment.</summary>
    public static bool TryValidateUrl(string? url, out string? error)
    {
        error = url switch
        {
            null or { Length: 0 } => "is required",
            { Length: > MaxUrlLength } => $"must be at most {MaxUrlLength} characters",
            _ when !Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
                => "must be an absolute http or https URL",
            _ when new Uri(url).UserInfo.Length > 0 => "must not carry user information (put credentials in the secret)",
            _ when new Uri(url).Fragment.Length > 0 => "must not have a fragment",
            _ when string.IsNullOrEmpty(new Uri(url).Host) => "must name a host",
            _ => null,
        };
        return error is null;
    }

    /// <summary>Between 16 and 256 characters, no control characters.</summary>
    public static bool TryValidateSecret(string? secret, out string? error)
    {
        error = secret switch
        {
            null or { Length: 0 } => "is required",
            { Length: < MinSecretLength } => $"must be at least {MinSecretLength} characters",
            { Length: > MaxSecretLength } => $"must be at most {MaxSecretLength} characters",
            _ when secret.Any(char.IsControl) => "must not contain control characters",
            _ => null,
        };
        return error is null;
    }
}
