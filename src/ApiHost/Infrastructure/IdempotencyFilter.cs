using OrleansLicenses.Hosting;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using OrleansLicenses.ApiHost.Auth;
using OrleansLicenses.Idempotency;

namespace OrleansLicenses.ApiHost.Infrastructure;

/// <summary>
/// <c>Idempotency-Key</c> on write endpoints (DESIGN.md §6): the same key and body replays the first successful
/// result, the same key with another body is 422, the same key while the first is in flight is 409. Keys are
/// scoped per client (the token's subject) and kept 24 h. Failed requests are not remembered, so a client may
/// retry them with the same key. A secret in an answer (<see cref="SecretMembersMetadata"/>) is shown once: the
/// stored answer has it removed, and a replay says so instead of showing it again.
/// </summary>
public sealed partial class IdempotencyFilter(IClusterClient cluster, IOptions<JsonOptions> json, ILogger<IdempotencyFilter> logger) : IEndpointFilter
{
    public const string Header = "Idempotency-Key";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var key = http.Request.Headers[Header].ToString();
        if (key.Length == 0)
        {
            return await next(context);
        }

        if (key.Length > 128 || key.Any(c => c < 0x21 || c > 0x7e))
        {
            return new FieldErrors().Add(Header, "must be 1-128 printable ASCII characters").ToProblem();
        }

        var caller = http.User.ToCaller(http);
        var hash = await RequestHash(http.Request);
        var grain = cluster.Get<IIdempotencyGrain>($"{caller.Subject}/{key}");
        var decision = await grain.BeginAsync(hash);
        switch (decision.Outcome)
        {
            case IdempotencyOutcome.Replay:
                http.Response.Headers["Idempotent-Replayed"] = "true";
                if (decision.Location is not null)
                {
                    http.Response.Headers.Location = decision.Location;
                }

                return TypedResults.Content(decision.Body, "application/json", Encoding.UTF8, decision.StatusCode);
            case IdempotencyOutcome.InFlight:
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "A request with this Idempotency-Key is still in progress.",
                    extensions: new Dictionary<string, object?> { ["code"] = "idempotency.in_flight" });
            case IdempotencyOutcome.Mismatch:
                return TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "This Idempotency-Key was used with another request.",
                    extensions: new Dictionary<string, object?> { ["code"] = "idempotency.key_reused" });
        }

        object? result;
        try
        {
            result = await next(context);
        }
        catch
        {
            await TryAbandonAsync(grain, hash);
            throw;
        }

        var outcome = result is INestedHttpResult nested ? nested.Result : result;
        if (outcome is IStatusCodeHttpResult { StatusCode: >= 200 and < 300 } status && outcome is IValueHttpResult value)
        {
            var body = JsonSerializer.Serialize(value.Value, value.Value?.GetType() ?? typeof(object), json.Value.SerializerOptions);
            if (http.GetEndpoint()?.Metadata.GetMetadata<SecretMembersMetadata>() is { } secrets)
            {
                body = secrets.Redact(body);
            }

            // Created<T> of any T carries the location of what was made.
            var location = outcome.GetType().GetProperty(nameof(Microsoft.AspNetCore.Http.HttpResults.Created.Location))?.GetValue(outcome) as string;
            await grain.CompleteAsync(hash, status.StatusCode!.Value, body, location);
        }
        else
        {
            await grain.AbandonAsync(hash);
        }

        return result;
    }

    /// <summary>
    /// Forgets the in-flight request after its handler failed, without hiding that failure: when the key's grain is
    /// unreachable too (the silo holding it died, the database is down) the request's own error is what the client
    /// must see (a 503 for a fault), and the key frees itself when its in-flight limit passes.
    /// </summary>
    private async Task TryAbandonAsync(IIdempotencyGrain grain, string hash)
    {
        try
        {
            await grain.AbandonAsync(hash);
        }
        catch (Exception e)
        {
            LogAbandonFailed(e.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not release an Idempotency-Key after its request failed ({Error}); it frees itself after its in-flight limit.")]
    private partial void LogAbandonFailed(string error);

    private static async Task<string> RequestHash(HttpRequest request)
    {
        request.Body.Position = 0;
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(Encoding.UTF8.GetBytes($"{request.Method} {request.Path}\n"));
        var buffer = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(buffer)) > 0)
        {
            sha.AppendData(buffer, 0, read);
        }

        request.Body.Position = 0;
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>Buffers bodies of requests that carry the header, so the filter can hash what the handler read.</summary>
    public static IApplicationBuilder UseIdempotencyBuffering(IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (http.Request.Headers.ContainsKey(Header))
        {
            http.Request.EnableBuffering();
        }

        await next(http);
    });
}

/// <summary>Marks an endpoint that honours <see cref="IdempotencyFilter.Header"/> (the OpenAPI document says so).</summary>
public sealed class IdempotencyMetadata
{
    public static readonly IdempotencyMetadata Instance = new();
}

public static class IdempotencyEndpoints
{
    /// <summary>The same key and body return the first result (DESIGN §6): the filter, and the metadata that documents it.</summary>
    public static TBuilder WithIdempotencyKey<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter<TBuilder, IdempotencyFilter>().WithMetadata(IdempotencyMetadata.Instance);

    /// <summary>As <see cref="WithIdempotencyKey{TBuilder}(TBuilder)"/>, for an answer whose <paramref name="secretMembers"/> are shown once.</summary>
    public static TBuilder WithIdempotencyKey<TBuilder>(this TBuilder builder, params string[] secretMembers)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithIdempotencyKey().WithMetadata(new SecretMembersMetadata(secretMembers));
}

/// <summary>Members of an answer that carry a secret shown once (e.g. a new client's secret): never kept for replays.</summary>
public sealed class SecretMembersMetadata(params string[] members)
{
    public const string Notice = "Created by the first request with this Idempotency-Key; its secret was shown once and is not shown again.";

    /// <summary>The answer with each secret member set to null and a <c>notice</c> saying why.</summary>
    public string Redact(string body)
    {
        if (System.Text.Json.Nodes.JsonNode.Parse(body) is not System.Text.Json.Nodes.JsonObject answer)
        {
            return body;
        }

        foreach (var member in members.Where(answer.ContainsKey))
        {
            answer[member] = null;
        }

        answer["notice"] = Notice;
        return answer.ToJsonString();
    }
}
