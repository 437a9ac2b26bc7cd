using OrleansLicenses.Audit;
using System.Text;
using OrleansLicenses.ApiHost.Auth;
using OrleansLicenses.ApiHost.Infrastructure;
using OrleansLicenses.Identifiers;
using OrleansLicenses.Licenses;

namespace OrleansLicenses.ApiHost.Audit;

/// <summary>
/// What a handler may add to its request's audit records: the purpose of a use (用证事由) when the body carries it,
/// and the resource when it is only known after the call. Set through <see cref="AuditHttpContextExtensions"/>.
/// </summary>
public sealed class AuditFeature
{
    public string? Purpose { get; set; }

    public string? Resource { get; set; }

    /// <summary>The silo committed this request's audit record itself (with the use record of a verification).</summary>
    public bool RecordedBySilo { get; set; }
}

public static class AuditHttpContextExtensions
{
    /// <summary>Records the purpose of this request in its outcome record (natural persons' ids masked).</summary>
    public static void SetAuditPurpose(this HttpContext http, string? purpose)
    {
        if (http.Features.Get<AuditFeature>() is { } feature && !string.IsNullOrWhiteSpace(purpose))
        {
            feature.Purpose = AuditEntryFactory.Clean(purpose, AuditEntryFactory.MaxPurposeLength);
        }
    }

    /// <summary>
    /// Says that the grain that answered this request has committed its audit record (a verification's, with its use
    /// record, in one transaction): the middleware then writes no record of its own for it.
    /// </summary>
    public static void MarkAuditedBySilo(this HttpContext http)
    {
        if (http.Features.Get<AuditFeature>() is { } feature)
        {
            feature.RecordedBySilo = true;
        }
    }

    /// <summary>Names the resource this request touched, for its outcome record (e.g. the licence a verification resolved).</summary>
    public static void SetAuditResource(this HttpContext http, string? resource)
    {
        if (http.Features.Get<AuditFeature>() is { } feature && !string.IsNullOrWhiteSpace(resource))
        {
            feature.Resource = AuditEntryFactory.Clean(resource, AuditEntryFactory.MaxResourceLength);
        }
    }
}

/// <summary>Builds audit entries from a request: who (masked), from where, what, on which resource, why.</summary>
public sealed class AuditEntryFactory(AuditKeys keys, TimeProvider time)
{
    public const string PurposeHeader = "Audit-Purpose";
    public const string Anonymous = "anonymous";
    public const int MaxResourceLength = 1024;
    public const int MaxPurposeLength = 200;
    private const int MaxTextLength = 200;

    public AuditEntry Create(HttpContext http, string kind, string outcome, int? status, long? attemptSeq, string? actorOverride = null)
    {
        var feature = http.Features.Get<AuditFeature>();
        string actor;
        string? actorRef = null, role = null, unit = null;
        if (http.User.Identity?.IsAuthenticated == true && http.User.FindFirst(ClaimNames.Role) is not null)
        {
            var caller = http.User.ToCaller(http);
            actor = MaskSubject(caller.Subject);
            actorRef = keys.ActorRef(caller.Subject);
            role = caller.Role;
            unit = caller.UnitCode;
        }
        else if (actorOverride is { Length: > 0 })
        {
            // A client id presented to the token endpoint: not proven, recorded as presented.
            actor = Clean(actorOverride, 64);
            actorRef = keys.ActorRef(actor);
        }
        else
        {
            actor = Anonymous;
        }

        var resource = feature?.Resource ?? Resource(http.Request);
        var purpose = feature?.Purpose ?? Purpose(http.Request);
        return new AuditEntry(AuditChain.Truncate(time.GetUtcNow()), http.TraceIdentifier, actor, actorRef, role, unit,
            http.Connection.RemoteIpAddress?.ToString(), kind, Action(http), resource, outcome, status, purpose, attemptSeq);
    }

    /// <summary>The endpoint's name (the OpenAPI operation id), else its method and route pattern.</summary>
    public static string Action(HttpContext http)
    {
        var endpoint = http.GetEndpoint();
        if (endpoint?.Metadata.GetMetadata<IEndpointNameMetadata>() is { EndpointName: { Length: > 0 } name })
        {
            return name;
        }

        var pattern = (endpoint as RouteEndpoint)?.RoutePattern.RawText ?? http.Request.Path.Value ?? "";
        return Clean($"{http.Request.Method} {pattern}", MaxTextLength);
    }

    /// <summary>Holder subjects <c>111:&lt;citizen id&gt;</c> keep only the first and last four characters of the number.</summary>
    public static string MaskSubject(string subject)
    {
        if (subject.StartsWith(HolderIdTypes.Citizen + ":", StringComparison.Ordinal))
        {
            return $"{HolderIdTypes.Citizen}:{CitizenId.Mask(subject[4..])}";
        }

        return Clean(subject, MaxTextLength);
    }

    /// <summary>Path and decoded query, with anything shaped like a citizen id number masked.</summary>
    public static string Resource(HttpRequest request)
    {
        var text = new StringBuilder(request.PathBase.Value).Append(request.Path.Value);
        var first = true;
        foreach (var (key, values) in request.Query)
        {
            foreach (var value in values)
            {
                text.Append(first ? '?' : '&').Append(key).Append('=').Append(value);
                first = false;
            }
        }

        return Clean(text.ToString(), MaxResourceLength);
    }

    public static string Clean(string text, int max)
    {
        var masked = PersonalData.MaskText(text);
        var builder = new StringBuilder(Math.Min(masked.Length, max));
        foreach (var c in masked)
        {
            if (builder.Length == max)
            {
                break;
            }

            builder.Append(char.IsControl(c) ? '\uFFFD' : c);
        }

        return builder.ToString();
    }

    private static string? Purpose(HttpRequest request)
    {
        var header = request.Headers[PurposeHeader].ToString();
        if (header.Length == 0)
        {
            return null;
        }

        string decoded;
        try
        {
            decoded = Uri.UnescapeDataString(header);
        }
        catch (UriFormatException)
        {
            decoded = header;
        }

        return Clean(decoded, MaxPurposeLength);
    }
}
