using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using OrleansLicenses.ApiHost.Audit;

namespace OrleansLicenses.ApiHost.Infrastructure;

/// <summary>
/// The per-network and global limits of <see cref="EdgeRateLimiter"/>, applied before authentication, so a flood of
/// requests (with or without a token) is refused before a token is validated or anything is audited. A refusal is
/// 429 problem+json (<c>rate.limited</c>) with Retry-After, counted by the <see cref="DenialAggregator"/>.
/// </summary>
public static class EdgeRateLimitMiddleware
{
    public static IServiceCollection AddEdgeRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<EdgeRateLimitSettings>(configuration.GetSection(EdgeRateLimitSettings.Section));
        services.AddSingleton<EdgeRateLimiter>();
        return services;
    }

    /// <summary>Place before <c>UseAuthentication</c> (and after the forwarded-headers middleware, which sets the client address).</summary>
    public static IApplicationBuilder UseEdgeRateLimits(this IApplicationBuilder app)
    {
        var limiter = app.ApplicationServices.GetRequiredService<EdgeRateLimiter>();
        var denials = app.ApplicationServices.GetRequiredService<DenialAggregator>();
        return app.Use(async (http, next) =>
        {
            var lease = limiter.Acquire(ClientNetwork.KeyOf(http), !http.Request.Path.StartsWithSegments("/health"));
            if (lease.IsAcquired)
            {
                lease.Dispose();
                await next(http);
                return;
            }

            var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)) : 1;
            lease.Dispose();
            denials.RecordDenial(http, StatusCodes.Status429TooManyRequests);
            await RefuseAsync(http, retryAfter);
        });
    }

    private static async Task RefuseAsync(HttpContext http, int retryAfter)
    {
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        http.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        var problem = new ProblemDetails { Status = StatusCodes.Status429TooManyRequests, Title = "Too many requests.", Detail = $"Retry after {retryAfter} seconds." };
        problem.Extensions["code"] = "rate.limited";
        await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem });
    }
}
