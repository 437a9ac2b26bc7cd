using Microsoft.AspNetCore.Http.Features;

namespace OrleansLicenses.ApiHost.Infrastructure;

/// <summary>Request size limits, bound from <c>Limits</c>.</summary>
public sealed class RequestLimitSettings
{
    public const string Section = "Limits";

    /// <summary>Largest accepted request body; uploads of templates and seals have their own, documented limits.</summary>
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Deepest JSON nesting accepted in a body.</summary>
    public int MaxJsonDepth { get; set; } = 32;
}

/// <summary>
/// Refuses bodies over the limit with 413 problem+json before anything reads them. Kestrel enforces the same
/// limit on chunked bodies through <see cref="IHttpMaxRequestBodySizeFeature"/>.
/// </summary>
public static class RequestLimitMiddleware
{
    public static IApplicationBuilder UseRequestLimits(this IApplicationBuilder app, RequestLimitSettings limits) =>
        app.Use(async (http, next) =>
        {
            if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
            {
                feature.MaxRequestBodySize = limits.MaxRequestBodyBytes;
            }

            if (http.Request.ContentLength > limits.MaxRequestBodyBytes)
            {
                throw new BadHttpRequestException("The request body is too large.", StatusCodes.Status413PayloadTooLarge);
            }

            await next(http);
        });
}
