using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using OrleansLicenses.ApiHost.Infrastructure;

namespace OrleansLicenses.Tests.Security;

public sealed class TrustedProxiesTests
{
    [Fact]
    public void WithNoProxyConfigured_ForwardedHeadersAreNotHonouredAtAll()
    {
        Assert.Null(TrustedProxies.Options(Config([])));
    }

    [Fact]
    public void ConfiguredProxiesAndNetworks_AreTheOnlyTrustedPeers_TheLoopbackDefaultsAreCleared()
    {
        var options = TrustedProxies.Options(Config(new() { ["ForwardedHeaders:KnownProxies:0"] = "10.9.0.1", ["ForwardedHeaders:KnownNetworks"] = "192.168.10.0/24" }))!;
        Assert.Equal([IPAddress.Parse("10.9.0.1")], options.KnownProxies);
        Assert.Equal([System.Net.IPNetwork.Parse("192.168.10.0/24")], options.KnownIPNetworks);
        Assert.DoesNotContain(IPAddress.IPv6Loopback, options.KnownProxies);
        Assert.Equal(1, options.ForwardLimit);
    }

    [Theory]
    [InlineData("KnownProxies", "not-an-address")]
    [InlineData("KnownNetworks", "10.0.0.0/99")]
    public void AMalformedProxyEntry_StopsTheStart(string key, string value)
    {
        Assert.Throws<InvalidOperationException>(() => TrustedProxies.Options(Config(new() { [$"ForwardedHeaders:{key}:0"] = value })));
    }

    [Fact]
    public void ForwardedHeadersEnabledFromTheEnvironment_WhichTrustsEveryPeer_IsRefused()
    {
        var app = WebApplication.CreateBuilder().Build();
        Assert.Throws<InvalidOperationException>(() => app.UseTrustedProxies(Config(new() { ["FORWARDEDHEADERS_ENABLED"] = "true" })));
    }

    private static IConfiguration Config(Dictionary<string, string?> values) => new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
