using Microsoft.Extensions.Options;
using OrleansLicenses.ApiHost.Infrastructure;

namespace OrleansLicenses.Tests.Edge;

/// <summary>The edge's token buckets, without a host: one per network, and one for everyone.</summary>
public sealed class EdgeRateLimiterTests
{
    private static EdgeRateLimiter Limiter(int perAddress, int global) => new(Options.Create(new EdgeRateLimitSettings
    {
        PerAddressPerSecond = 1, PerAddressBurst = perAddress, GlobalPerSecond = 1, GlobalBurst = global,
    }));

    [Fact]
    public void Acquire_OneNetworkPastItsBurst_IsRefused_AnotherIsNot()
    {
        using var limiter = Limiter(perAddress: 10, global: 1000);
        var granted = Enumerable.Range(0, 50).Count(_ => Take(limiter, "203.0.113.7"));

        Assert.InRange(granted, 10, 11); // the burst, and at most one token replenished meanwhile
        Assert.True(Take(limiter, "2001:db8:1:2::/64"));
        using var refused = limiter.Acquire("203.0.113.7", countGlobally: true);
        Assert.False(refused.IsAcquired);
        Assert.True(refused.TryGetMetadata(System.Threading.RateLimiting.MetadataName.RetryAfter, out var retry) && retry > TimeSpan.Zero);
    }

    [Fact]
    public void Acquire_ManyNetworksPastTheGlobalBurst_AreRefused_HealthProbesAreNot()
    {
        using var limiter = Limiter(perAddress: 10, global: 100);
        var granted = Enumerable.Range(0, 500).Count(i => Take(limiter, $"10.0.{i / 256}.{i % 256}"));

        Assert.InRange(granted, 100, 101);
        using var probe = limiter.Acquire("10.9.9.9", countGlobally: false);
        Assert.True(probe.IsAcquired);
    }

    private static bool Take(EdgeRateLimiter limiter, string network)
    {
        using var lease = limiter.Acquire(network, countGlobally: true);
        return lease.IsAcquired;
    }
}
