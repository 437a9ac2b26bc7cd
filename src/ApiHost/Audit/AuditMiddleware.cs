using OrleansLicenses.Audit;
using System.Runtime.ExceptionServices;
using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using OrleansLicenses.ApiHost.Infrastructure;

namespace OrleansLicenses.ApiHost.Audit;

/// <summary>What the audit trail records of an endpoint's requests.</summary>
public enum AuditScope
{
    /// <summary>Nothing (denials by an authorization policy are still recorded).</summary>
    None = 0,

    /// <summary>A read of personal data: one record with the outcome, committed before the answer is sent.</summary>
    Read = 1,

    /// <summary>A state change: an attempt record committed before the handler runs, and an outcome record.</summary>
    Write = 2,

    /// <summary>Token requests: failures only.</summary>
    FailuresOnly = 3,
}

/// <summary>Endpoint metadata that overrides the path rules of <see cref="AuditRules"/>.</summary>
public sealed record AuditScopeMetadata(AuditScope Scope);

public static class AuditEndpointConventions
{
    /// <summary>Sets what the audit trail records of this endpoint, overriding the path rules.</summary>
    public static TBuilder WithAuditScope<TBuilder>(this TBuilder builder, AuditScope scope)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new AuditScopeMetadata(scope));
}

/// <summary>
/// Which requests are audited, by default and for endpoints added later: every POST, PUT, PATCH and DELETE under
/// <c>/api</c> is a write; every GET under <c>/api</c> is a read of personal data, except the catalogue, units and
/// public endpoints, which carry none; token endpoints record failures; the dashboard's grain-state and trace views are
/// reads. Unknown routes are not audited.
/// </summary>
public static class AuditRules
{
    private static readonly PathString[] NonPersonalReads = ["/api/catalog", "/api/units", "/api/public"];
    private static readonly PathString[] TokenEndpoints = ["/api/auth", "/api/dev/holder-tokens"];

    // The dashboard's views of one grain's state and of message traces show grain ids and state — holder keys,
    // licence faces: reads of personal data like any other. Its polling of counters and statistics carries none.
    private static readonly PathString[] DashboardReads = ["/dashboard/GrainState", "/dashboard/Trace"];

    public static AuditScope Classify(HttpContext http)
    {
        var endpoint = http.GetEndpoint();
        if (endpoint is null)
        {
            return AuditScope.None;
        }

        if (endpoint.Metadata.GetMetadata<AuditScopeMetadata>() is { } configured)
        {
            return configured.Scope;
        }

        var path = http.Request.Path;
        if (DashboardReads.Any(p => path.StartsWithSegments(p)))
        {
            return AuditScope.Read;
        }

        if (!path.StartsWithSegments("/api"))
        {
            return AuditScope.None;
        }

        if (TokenEndpoints.Any(p => path.StartsWithSegments(p)))
        {
            return AuditScope.FailuresOnly;
        }

        var method = http.Request.Method;
        if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method))
        {
            return NonPersonalReads.Any(p => path.StartsWithSegments(p)) ? AuditScope.None : AuditScope.Read;
        }

        return HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsPatch(method) || HttpMethods.IsDelete(method)
            ? AuditScope.Write
            : AuditScope.None;
    }
}

/// <summary>
/// Records audited requests, after authorization and before the endpoint:
/// <list type="bullet">
/// <item>a write first commits an <c>attempted</c> record; if that fails the request is answered 503 (+ Retry-After)
/// and the endpoint never runs, so nothing changes. After the endpoint it commits the outcome record (linked by
/// <c>attempt_seq</c>) before the answer is released. If only the outcome record fails, the change has already
/// happened: the real answer is sent (a 503 would invite a duplicate retry) and the attempt stays without outcome;</item>
/// <item>a read commits one record with its outcome before the answer is released; if it fails, the answer is withheld
/// and the request answered 503: no personal data leaves without its record;</item>
/// <item>a token request records failures only.</item>
/// </list>
/// Answers are buffered until their record is committed.
/// </summary>
public sealed partial class AuditMiddleware(
    RequestDelegate next, AuditWriter writer, AuditEntryFactory entries, IProblemDetailsService problems, ILogger<AuditMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext http)
    {
        var scope = AuditRules.Classify(http);
        if (scope == AuditScope.None)
        {
            await next(http);
            return;
        }

        var feature = new AuditFeature();
        http.Features.Set(feature);
        var kind = scope switch
        {
            AuditScope.Write => AuditKinds.Write,
            AuditScope.Read => AuditKinds.Read,
            _ => AuditKinds.Authentication,
        };

        long? attempt = null;
        if (scope == AuditScope.Write)
        {
            try
            {
                attempt = await writer.AppendAsync(entries.Create(http, kind, AuditOutcomes.Attempted, null, null));
            }
            catch (AuditUnavailableException)
            {
                LogWriteRefused(logger, http.Request.Method, AuditEntryFactory.Action(http));
                await RefuseAsync(http, "The request was not executed because its audit record could not be written.");
                return;
            }
        }

        var original = http.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
        using var buffer = new MemoryStream();
        var buffered = new StreamResponseBodyFeature(buffer);
        http.Features.Set<IHttpResponseBodyFeature>(buffered);
        ExceptionDispatchInfo? failure = null;
        try
        {
            await next(http);
            await buffered.CompleteAsync();
        }
        catch (Exception e)
        {
            failure = ExceptionDispatchInfo.Capture(e);
        }
        finally
        {
            http.Features.Set(original);
        }

        var status = failure is null ? http.Response.StatusCode : ProblemExceptionHandler.StatusCodeFor(failure.SourceException, http.Request.Path, http.RequestAborted.IsCancellationRequested);
        if ((scope != AuditScope.FailuresOnly || status >= 400) && !(feature.RecordedBySilo && failure is null))
        {
            if (feature.Resource is null && status == StatusCodes.Status201Created && http.Response.Headers.Location.ToString() is { Length: > 0 } created)
            {
                http.SetAuditResource(created);
            }

            try
            {
                await writer.AppendAsync(entries.Create(http, kind, AuditOutcomes.FromStatus(status), status, attempt,
                    scope == AuditScope.FailuresOnly ? PresentedClientId(http) : null));
            }
            catch (AuditUnavailableException)
            {
                if (scope == AuditScope.Read && failure is null)
                {
                    LogReadWithheld(logger, AuditEntryFactory.Action(http));
                    await RefuseAsync(http, "The answer was withheld because its audit record could not be written.");
                    return;
                }

                LogOutcomeLost(logger, AuditEntryFactory.Action(http), attempt ?? 0, status);
            }
        }

        failure?.Throw();
        if (buffer.Length > 0)
        {
            http.Response.ContentLength ??= buffer.Length;
            buffer.Position = 0;
            await buffer.CopyToAsync(http.Response.Body, http.RequestAborted);
        }
    }

    private async Task RefuseAsync(HttpContext http, string detail)
    {
        http.Response.Clear();
        http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        http.Response.Headers.RetryAfter = "5";
        var problem = new ProblemDetails
        {
            Status = StatusCodes.Status503ServiceUnavailable,
            Title = "The audit trail is temporarily unavailable.",
            Detail = detail + " Retry after a few seconds.",
        };
        problem.Extensions["code"] = "audit.unavailable";
        await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem });
    }

    /// <summary>The client id a token request presented (HTTP Basic or form), unproven.</summary>
    private static string? PresentedClientId(HttpContext http)
    {
        var header = http.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
                var colon = decoded.IndexOf(':', StringComparison.Ordinal);
                return colon > 0 ? Uri.UnescapeDataString(decoded[..colon]) : null;
            }
            catch (FormatException)
            {
                return null;
            }
        }

        return http.Features.Get<IFormFeature>()?.Form?["client_id"].ToString();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Audit record not written: {Method} {Action} refused with 503 before execution")]
    private static partial void LogWriteRefused(ILogger logger, string method, string action);

    [LoggerMessage(Level = LogLevel.Error, Message = "Audit record not written: the answer to {Action} was withheld (503)")]
    private static partial void LogReadWithheld(ILogger logger, string action);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Audit outcome record not written for {Action} (attempt record {AttemptSeq}, status {Status}); the change was made")]
    private static partial void LogOutcomeLost(ILogger logger, string action, long attemptSeq, int status);
}
