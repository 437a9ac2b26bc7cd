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
/// limit on chunked bodies through <see cref="IHttpMaxRequestBodySizeFeature"/>; a server without it gets a
/// <see cref="LimitedRequestBody"/>.
/// </summary>
public static class RequestLimitMiddleware
{
    public static IApplicationBuilder UseRequestLimits(this IApplicationBuilder app, RequestLimitSettings limits) =>
        app.Use(async (http, next) =>
        {
            // An upload endpoint (bulk import) declares its own, larger limit; every other body gets the general one.
            var max = http.GetEndpoint()?.Metadata.GetMetadata<UploadLimitMetadata>()?.MaxBytes ?? limits.MaxRequestBodyBytes;
            if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
            {
                feature.MaxRequestBodySize = max;
            }
            else
            {
                http.Request.Body = new LimitedRequestBody(http.Request.Body, max);
            }

            if (http.Request.ContentLength > max)
            {
                throw new BadHttpRequestException("The request body is too large.", StatusCodes.Status413PayloadTooLarge);
            }

            // No identifier, code or query of this API contains control characters; refuse them before they reach
            // a grain key or a database parameter (PostgreSQL rejects NUL in text).
            if (HasControl(http.Request.Path.Value) || HasControl(Uri.UnescapeDataString(http.Request.QueryString.Value ?? "")))
            {
                throw new BadHttpRequestException("The request path or query contains control characters.", StatusCodes.Status400BadRequest);
            }

            await next(http);
        });

    private static bool HasControl(string? value) => value is not null && value.Any(char.IsControl);
}

/// <summary>Endpoint metadata: this endpoint streams bodies of up to <see cref="MaxBytes"/> (instead of the general limit).</summary>
public sealed record UploadLimitMetadata(long MaxBytes);

/// <summary>
/// Reads JSON strings and refuses C0/C1 control characters other than tab, line feed and carriage return, so no
/// NUL or terminal escape reaches grain state, logs or PostgreSQL text. Writes strings unchanged.
/// </summary>
public sealed class NoControlCharactersConverter : System.Text.Json.Serialization.JsonConverter<string>
{
    public override string? Read(ref System.Text.Json.Utf8JsonReader reader, Type typeToConvert, System.Text.Json.JsonSerializerOptions options)
    {
        var value = reader.GetString();
        if (value is not null && value.Any(c => char.IsControl(c) && c is not ('\t' or '\n' or '\r')))
        {
            throw new System.Text.Json.JsonException("Strings must not contain control characters.");
        }

        return value;
    }

    public override void Write(System.Text.Json.Utf8JsonWriter writer, string value, System.Text.Json.JsonSerializerOptions options) =>
        writer.WriteStringValue(value);
}
