using Microsoft.AspNetCore.Http.HttpResults;

namespace OrleansLicenses.ApiHost.Infrastructure;

/// <summary>
/// How files that users uploaded are handed back (catalogue templates, samples and seals; correction evidence): as a
/// download, never sniffed into another type, and sandboxed if a browser renders it anyway — an SVG template is a
/// document that can carry script, and it must not run with the platform's origin.
/// </summary>
public static class StoredFiles
{
    public static FileContentHttpResult Download(HttpContext http, byte[] content, string contentType, string fileName)
    {
        http.Response.Headers.XContentTypeOptions = "nosniff";
        http.Response.Headers.ContentSecurityPolicy = "sandbox; default-src 'none'";
        return TypedResults.File(content, contentType, fileName);
    }
}
