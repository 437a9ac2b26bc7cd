using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OrleansLicenses.Tests.Infrastructure;

namespace OrleansLicenses.Tests.Security;

/// <summary>
/// A host behind one configured proxy (<see cref="Proxy"/>), with a token concurrency limit of one and no queue. In-memory
/// requests carry no TCP peer; a test names the peer it plays with <see cref="PeerHeader"/> (a test-only stand-in for the
/// socket's address, applied before any of the host's own middleware).
/// </summary>
public sealed class EdgeHardeningFixture : ApiFixture
{
    public const string PeerHeader = TestPeerAddress.Header;
    public const string Proxy = "10.9.0.1";

    protected override void ConfigureHost(IWebHostBuilder web)
    {
        web.UseSetting("ForwardedHeaders:KnownProxies:0", Proxy);
        web.UseSetting("RateLimits:TokenConcurrency", "1");
        web.UseSetting("RateLimits:TokenQueue", "0");
        web.ConfigureServices(services => services.AddSingleton<Microsoft.AspNetCore.Hosting.IStartupFilter, TestPeerAddress>());
    }
}
