using System.Threading.RateLimiting;

namespace OrleansLicenses.ApiHost.Auth;

/// <summary>Bound from <c>RateLimits</c>: how many token requests one API host lets check a secret at once, and how many may wait.</summary>
public sealed class TokenConcurrencySettings
{
    public int TokenConcurrency { get; set; } = 16;

    public int TokenQueue { get; set; } = 4;
}

/// <summary>
/// A global concurrency limit on <c>POST /api/auth/token</c> (a <see cref="ConcurrencyLimiter"/> per API host, on top of
/// the per-address window of <c>RateLimits.Token</c>): every request makes the silo run PBKDF2 over the presented
/// secret, even for an unknown client, so a flood from many addresses could otherwise occupy the silos' cores. What
/// is over the limit and the small queue is answered 429 <c>rate.limited</c> with Retry-After, as any rate limit.
/// </summary>
public sealed class TokenConcurrency : IDisposable
{
    private const int RetryAfterSeconds = 1;
    private readonly ConcurrencyLimiter limiter;

    public TokenConcurrency(IConfiguration configuration)
    {
        var settings = configuration.GetSection("RateLimits").Get<TokenConcurrencySettings>() ?? new();
        limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = Math.Max(1, settings.TokenConcurrency),
            QueueLimit = Math.Max(0, settings.TokenQueue),
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
    }

    /// <summary>The limiter's counters (permits available, queued), for health checks and tests.</summary>
    public RateLimiterStatistics? Statistics => limiter.GetStatistics();

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        using var lease = await limiter.AcquireAsync(1, http.RequestAborted);
        if (!lease.IsAcquired)
        {
            http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests.",
                detail: $"Too many token requests at once; retry after {RetryAfterSeconds} second.",
                extensions: new Dictionary<string, object?> { ["code"] = "rate.limited" });
        }

        return await next(context);
    }

    public void Dispose() => limiter.Dispose();
}

/// <summary>Marks an endpoint behind <see cref="TokenConcurrency"/>.</summary>
public sealed class TokenConcurrencyMetadata
{
    public static readonly TokenConcurrencyMetadata Instance = new();
}

public static class TokenConcurrencyEndpoints
{
    /// <summary>Puts the endpoint behind the host's one <see cref="TokenConcurrency"/> limiter.</summary>
    public static TBuilder RequireTokenConcurrencyLimit<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter((context, next) => context.HttpContext.RequestServices.GetRequiredService<TokenConcurrency>().InvokeAsync(context, next))
            .WithMetadata(TokenConcurrencyMetadata.Instance);
}
