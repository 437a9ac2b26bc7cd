using Microsoft.Net.Http.Headers;

namespace OrleansLicenses.ApiHost.Copies;

/// <summary>Which form of the archive copy a request asks for, and where the copy's QR code points.</summary>
public static class CopyNegotiation
{
    /// <summary>PDF when <c>Accept</c> lists <c>application/pdf</c> with a quality above that of any HTML it accepts; else HTML.</summary>
    public static bool WantsPdf(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var accept = request.GetTypedHeaders().Accept;
        double Quality(string type) => accept
            .Where(a => a.MediaType.Equals(type, StringComparison.OrdinalIgnoreCase))
            .Select(a => a.Quality ?? 1.0).DefaultIfEmpty(0).Max();
        var pdf = Quality("application/pdf");
        return pdf > 0 && pdf > Quality("text/html");
    }

    /// <summary>The public page's status check for the licence, on the host that served the copy.</summary>
    public static string PublicCheckUrl(HttpRequest request, string licenseIdentifier)
    {
        ArgumentNullException.ThrowIfNull(request);
        return $"{request.Scheme}://{request.Host}/public?id={Uri.EscapeDataString(licenseIdentifier)}";
    }
}
