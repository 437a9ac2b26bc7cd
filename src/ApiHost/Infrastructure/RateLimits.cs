using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace OrleansLicenses.ApiHost.Infrastructure;

/// <summary>Rate limits, bound from <c>RateLimits</c>: per client address for public endpoints, per client for verification.</summary>
public sealed class RateLimitSettings
{
    public int PublicPerMinute { get; set; } = 120;

    public int VerificationPerSecond { get; set; } = 2000;

    public int TokenPerMinute { get; set; } = 60;

    /// <summary>Holder tokens per minute per address from the development minter.</summary>
    public int DevMintPerMinute { get; set; } = 600;
}

public static class RateLimits
{
    public const string Public = "public";
    public const string Verification = "verification";
    public const string Token = "token";
    public const string DevMint = "dev-mint";

    public static IServiceCollection AddPlatformRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = configuration.GetSection("RateLimits").Get<RateLimitSettings>() ?? new();
        services.AddRateLimiter(o =>
        {
            o.AddPolicy(Public, http => RateLimitPartition.GetFixedWindowLimiter(
                $"ip:{http.Connection.RemoteIpAddress}", _ => Window(settings.PublicPerMinute, TimeSpan.FromMinutes(1))));
            o.AddPolicy(DevMint, http => RateLimitPartition.GetFixedWindowLimiter(
                $"ip:{http.Connection.RemoteIpAddress}", _ => Window(settings.DevMintPerMinute, TimeSpan.FromMinutes(1))));
            o.AddPolicy(Token, http => RateLimitPartition.GetFixedWindowLimiter(
                $"ip:{http.Connection.RemoteIpAddress}", _ => Window(settings.TokenPerMinute, TimeSpan.FromMinutes(1))));
            o.AddPolicy(Verification, http => RateLimitPartition.GetFixedWindowLimiter(
                $"client:{http.User.FindFirst("client_id")?.Value ?? http.Connection.RemoteIpAddress?.ToString()}",
                _ => Window(settings.VerificationPerSecond, TimeSpan.FromSeconds(1))));
            o.OnRejected = async (context, ct) =>
            {
                var http = context.HttpContext;
                var retry = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? (int)Math.Ceiling(after.TotalSeconds) : 60;
                http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                http.Response.Headers.RetryAfter = retry.ToString(CultureInfo.InvariantCulture);
                await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = http,
                    ProblemDetails = { Status = 429, Title = "Too many requests.", Detail = $"Retry after {retry} seconds." },
                });
            };
        });
        return services;
    }

    private static FixedWindowRateLimiterOptions Window(int permits, TimeSpan window) =>
        new() { PermitLimit = permits, Window = window, QueueLimit = 0, AutoReplenishment = true };
}
