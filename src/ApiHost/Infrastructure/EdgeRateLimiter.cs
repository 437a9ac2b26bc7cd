using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace OrleansLicenses.ApiHost.Infrastructure;

/// <summary>
/// Limits applied to every request before authentication, bound from <c>RateLimits:Edge</c>: a token bucket per
/// client network (<see cref="ClientNetwork"/>) and one for the whole host. The defaults sit above what one
/// legitimate system sends (the per-client verification limit is 2000/s) and are meant to be set per deployment:
/// the global one near what a host sustains.
/// </summary>
public sealed class EdgeRateLimitSettings
{
    public const string Section = "RateLimits:Edge";

    /// <summary>Requests per second one IPv4 address or IPv6 /64 may send, sustained.</summary>
    public int PerAddressPerSecond { get; set; } = 2000;

    /// <summary>Requests one network may send at once above its rate.</summary>
    public int PerAddressBurst { get; set; } = 4000;

    /// <summary>Requests per second the host accepts from everyone together (health probes are not counted).</summary>
    public int GlobalPerSecond { get; set; } = 20_000;

    /// <summary>Requests the host accepts at once above its rate.</summary>
    public int GlobalBurst { get; set; } = 40_000;
}

/// <summary>
/// The edge's two token buckets, chained: a request takes a token of its network's bucket, then one of the global
/// bucket. A network's buckets are kept while in use (the limiter drops buckets idle and full for a few seconds).
/// </summary>
public sealed class EdgeRateLimiter : IAsyncDisposable, IDisposable
{
    private const string GlobalKey = "global";
    private readonly PartitionedRateLimiter<string> perAddress;
    private readonly PartitionedRateLimiter<string> global;

    public EdgeRateLimiter(IOptions<EdgeRateLimitSettings> options)
    {
        var settings = options.Value;
        perAddress = PartitionedRateLimiter.Create<string, string>(
            network => RateLimitPartition.GetTokenBucketLimiter(network, _ => Bucket(settings.PerAddressPerSecond, settings.PerAddressBurst)));
        global = PartitionedRateLimiter.Create<string, string>(
            _ => RateLimitPartition.GetTokenBucketLimiter(GlobalKey, _ => Bucket(settings.GlobalPerSecond, settings.GlobalBurst)));
    }

    /// <summary>Takes a request's tokens; the lease says whether it may proceed, and if not, when to retry.</summary>
    /// <param name="network">The request's <see cref="ClientNetwork"/> key.</param>
    /// <param name="countGlobally">False for requests the global limit leaves alone (health probes).</param>
    public RateLimitLease Acquire(string network, bool countGlobally)
    {
        var lease = perAddress.AttemptAcquire(network);
        if (!lease.IsAcquired || !countGlobally)
        {
            return lease;
        }

        lease.Dispose();
        return global.AttemptAcquire(GlobalKey);
    }

    public async ValueTask DisposeAsync()
    {
        await perAddress.DisposeAsync();
        await global.DisposeAsync();
    }

    public void Dispose()
    {
        perAddress.Dispose();
        global.Dispose();
    }

    private static TokenBucketRateLimiterOptions Bucket(int perSecond, int burst) => new()
    {
        TokenLimit = Math.Max(1, Math.Max(burst, perSecond)),
        TokensPerPeriod = Math.Max(1, perSecond),
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        QueueLimit = 0,
        AutoReplenishment = true,
    };
}
