using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using OrleansLicenses.Tests.Infrastructure;

namespace OrleansLicenses.Tests.Edge;

/// <summary>
/// The API deployment with low edge limits (a burst of 30 per network, 1/s after it) and denial counts flushed only
/// on demand. The in-memory server has no client address; a test gives a request one with
/// <see cref="AddressHeader"/>, as the forwarded-headers middleware does for a configured proxy.
/// </summary>
public sealed class FloodFixture : ApiFixture
{
    public const string AddressHeader = TestPeerAddress.Header;
    public const int Burst = 30;

    protected override void ConfigureHost(IWebHostBuilder web)
    {
        web.UseSetting("RateLimits:Edge:PerAddressPerSecond", "1");
        web.UseSetting("RateLimits:Edge:PerAddressBurst", Burst.ToString(System.Globalization.CultureInfo.InvariantCulture));
        web.UseSetting("Audit:Denials:FlushIntervalSeconds", "3600");
        web.ConfigureTestServices(services => services.AddSingleton<IStartupFilter, TestPeerAddress>());
    }

    /// <summary>A client whose requests come from <paramref name="address"/>.</summary>
    public HttpClient From(string address, string? bearer = null)
    {
        var http = Factory.CreateClient();
        http.DefaultRequestHeaders.Add(AddressHeader, address);
        if (bearer is not null)
        {
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
        }

        return http;
    }

    /// <summary>A fresh IPv6 address in a /64 no other test uses.</summary>
    public static string NewAddress() => $"2001:db8:{Random.Shared.Next(1, 0xffff):x}:{Random.Shared.Next(1, 0xffff):x}::{Random.Shared.Next(1, 0xffff):x}";
}

[CollectionDefinition(Name)]
public sealed class FloodCollection : ICollectionFixture<FloodFixture>
{
    public const string Name = "flood";
}
