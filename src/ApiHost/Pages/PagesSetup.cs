using Microsoft.Extensions.FileProviders;
using OrleansLicenses.ApiHost.Copies;

namespace OrleansLicenses.ApiHost.Pages;

/// <summary>
/// The people's pages (issue 16): <c>/hall</c> for service-hall officers, <c>/me</c> for holders, <c>/public</c> for
/// anyone, and <c>/</c> linking to them. Static HTML, CSS and JavaScript from the API host's <c>wwwroot</c>, no asset
/// from the internet; the scripts call the same HTTP API from the same origin with the signed-in user's token, so
/// the pages can do nothing the API would not let that user do.
/// </summary>
public static class PagesSetup
{
    /// <summary>What the pages may load and talk to: this origin only (the QR image is a data: URL, copies are blob: URLs).</summary>
    private const string ContentSecurityPolicy =
        "default-src 'self'; img-src 'self' data: blob:; script-src 'self'; style-src 'self'; connect-src 'self'; " +
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private static readonly (string Route, string File)[] Routes =
    [
        ("/", "index.html"), ("/hall", "hall.html"), ("/me", "me.html"), ("/public", "public.html"),
    ];

    public static IServiceCollection AddArchiveCopies(this IServiceCollection services)
    {
        services.AddSingleton<CopySources>();
        services.AddSingleton<ArchivePdf>();
        services.AddSingleton<CopyLedger>();
        return services;
    }

    /// <summary>Serves the pages' assets under <c>/assets</c> (scripts, styles), with the pages' security headers.</summary>
    public static WebApplication UsePlatformPages(this WebApplication app)
    {
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new PhysicalFileProvider(Path.Combine(app.Environment.WebRootPath ?? Path.Combine(app.Environment.ContentRootPath, "wwwroot"), "assets")),
            RequestPath = "/assets",
            OnPrepareResponse = c => Secure(c.Context.Response),
        });
        return app;
    }

    public static IEndpointRouteBuilder MapPlatformPages(this WebApplication app)
    {
        var root = app.Environment.WebRootPath ?? Path.Combine(app.Environment.ContentRootPath, "wwwroot");
        foreach (var (route, file) in Routes)
        {
            var path = Path.Combine(root, file);
            app.MapGet(route, (HttpContext http) =>
            {
                Secure(http.Response);
                return TypedResults.PhysicalFile(path, "text/html; charset=utf-8");
            }).AllowAnonymous().ExcludeFromDescription();
        }

        return app;
    }

    private static void Secure(HttpResponse response)
    {
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.CacheControl = "no-cache";
    }
}
