using Microsoft.AspNetCore.Mvc.Testing;
using OrleansLicenses.Tests.Infrastructure;

namespace OrleansLicenses.Tests.GeneratedClient;

/// <summary>
/// The API fixture's deployment served by Kestrel on a loopback port instead of in memory, so that a client in another
/// process (the generated client's driver) can reach it. Its own collection: the shared fixture stays in memory.
/// </summary>
public sealed class KestrelApiFixture : ApiFixture
{
    /// <summary>Where Kestrel listens (the factory's clients are pointed there once the server has started).</summary>
    public Uri BaseAddress => Factory.ClientOptions.BaseAddress;

    /// <summary>Any free loopback port: the configured <c>Urls</c> (appsettings: 127.0.0.1:5000) would otherwise win over <c>UseKestrel(0)</c>.</summary>
    protected override void ConfigureHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder web) => web.UseSetting("Urls", "http://127.0.0.1:0");

    protected override void Start(WebApplicationFactory<Program> factory)
    {
        factory.UseKestrel(0); // any free loopback port; the factory learns which once started
        factory.StartServer();
    }
}

[CollectionDefinition(Name)]
public sealed class KestrelApiCollection : ICollectionFixture<KestrelApiFixture>
{
    public const string Name = "api-kestrel";
}
