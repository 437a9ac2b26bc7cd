using Microsoft.AspNetCore.Mvc.Testing;
using OrleansLicenses.Tests.Infrastructure;

namespace OrleansLicenses.Tests.Sync;

/// <summary>
/// One library deployment of a two-library test: its own database (or an earlier deployment's, for a restart), its own
/// silos with <paramref name="siloSettings"/>, and its API host, on a fixed loopback port when another library must
/// reach it over HTTP (the upper library), else in memory.
/// </summary>
public sealed class LibraryFixture(IReadOnlyDictionary<string, string?> siloSettings, int? port = null, string? database = null) : ApiFixture
{
    protected override IReadOnlyDictionary<string, string?> SiloSettings => siloSettings;

    protected override Task<string> DatabaseAsync() => database is null ? base.DatabaseAsync() : Task.FromResult(database);

    protected override void ConfigureHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder web)
    {
        if (port is { } p)
        {
            // appsettings.json names the local start's address; this library listens where the other one pushes.
            web.UseSetting("Urls", $"http://127.0.0.1:{p}");
        }
    }

    protected override void Start(WebApplicationFactory<Program> factory)
    {
        if (port is not { } p)
        {
            base.Start(factory);
            return;
        }

        factory.UseKestrel(p);
        factory.StartServer();
    }
}
