using System.Text;
using OrleansLicenses.ApiHost.Auth;
using OrleansLicenses.ApiHost.Infrastructure;

namespace OrleansLicenses.ApiHost.Audit;

/// <summary>What a denied request is counted under: its network, status, caller (if proven) and endpoint.</summary>
public static class DenialRecording
{
    public const string Unmatched = "unmatched";
    private const int MaxTextLength = 200;

    /// <summary>Counts this request as denied with <paramref name="status"/>; never waits, never throws.</summary>
    public static void RecordDenial(this DenialAggregator denials, HttpContext http, int status) =>
        denials.Record(ClientNetwork.KeyOf(http), status, Actor(http), Action(http));

    /// <summary>
    /// The masked subject of an authenticated caller (a 403), else <c>anonymous</c>: nothing an unauthenticated client
    /// sends becomes part of a key, so a flood cannot widen the key space beyond networks and endpoints.
    /// </summary>
    public static string Actor(HttpContext http) =>
        http.User.Identity?.IsAuthenticated == true && http.User.FindFirst(ClaimNames.Role) is not null
            ? Storable(AuditEntryFactory.MaskSubject(http.User.ToCaller(http).Subject))
            : AuditEntryFactory.Anonymous;

    /// <summary>The endpoint's name, else its route pattern, else <c>unmatched</c> (never the raw path).</summary>
    public static string Action(HttpContext http)
    {
        var endpoint = http.GetEndpoint();
        if (endpoint?.Metadata.GetMetadata<IEndpointNameMetadata>() is { EndpointName: { Length: > 0 } name })
        {
            return Storable(name);
        }

        // The endpoint's own methods, not the request's: a client cannot make up keys.
        return (endpoint as RouteEndpoint)?.RoutePattern.RawText is { } pattern
            ? Storable($"{string.Join(',', endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [])} {pattern}".TrimStart())
            : Unmatched;
    }

    /// <summary>At most 200 characters, no control characters or lone surrogates (PostgreSQL text must be valid UTF-8).</summary>
    private static string Storable(string text)
    {
        var cleaned = AuditEntryFactory.Clean(text, MaxTextLength);
        var builder = new StringBuilder(cleaned.Length);
        for (var i = 0; i < cleaned.Length; i++)
        {
            var c = cleaned[i];
            if (char.IsHighSurrogate(c) && i + 1 < cleaned.Length && char.IsLowSurrogate(cleaned[i + 1]))
            {
                builder.Append(c).Append(cleaned[++i]);
            }
            else
            {
                builder.Append(char.IsSurrogate(c) ? '\uFFFD' : c);
            }
        }

        return builder.ToString();
    }
}
