using System.Net;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OrleansLicenses.ApiHost.Audit;
using OrleansLicenses.ApiHost.Infrastructure;

namespace OrleansLicenses.Tests.Audit;

/// <summary>The in-memory denial counts: aggregated per key and minute, bounded however many networks send.</summary>
public sealed class DenialAggregatorTests
{
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 12, 3, 10, 15, 20, TimeSpan.Zero));

    private DenialAggregator Aggregator(int maxKeys = 100, int maxOverflowKeys = 4) =>
        new(Options.Create(new DenialAuditSettings { MaxKeys = maxKeys, MaxOverflowKeys = maxOverflowKeys }), clock);

    [Fact]
    public void Record_CountsOneKeyPerNetworkStatusMinuteActorAndAction()
    {
        var denials = Aggregator();
        for (var i = 0; i < 50; i++)
        {
            denials.Record("203.0.113.7", 401, "anonymous", "GetLicense");
        }

        denials.Record("203.0.113.7", 403, "issuer-1", "GetStatistics");
        clock.Advance(TimeSpan.FromMinutes(1));
        denials.Record("203.0.113.7", 401, "anonymous", "GetLicense");

        var rows = denials.Drain();
        Assert.Equal(3, rows.Count);
        var first = Assert.Single(rows, r => r.Key.Status == 401 && r.Key.Minute == new DateTimeOffset(2026, 12, 3, 10, 15, 0, TimeSpan.Zero));
        Assert.Equal(50, first.Count);
        Assert.Equal(1, Assert.Single(rows, r => r.Key.Status == 403).Count);
        Assert.Empty(denials.Drain());
    }

    [Fact]
    public void Record_ManyNetworks_HoldsAtMostTheKeyLimit_AndFoldsTheRestIntoOther()
    {
        var denials = Aggregator(maxKeys: 100);
        for (var i = 0; i < 100_000; i++)
        {
            denials.Record($"10.{i / 65536}.{i / 256 % 256}.{i % 256}", 401, "anonymous", "GetLicense");
        }

        Assert.Equal(101, denials.KeyCount); // 100 networks and one "other" for (401, this minute)
        Assert.Equal(100_000 - 100, denials.OverflowedTotal);
        Assert.Equal(0, denials.DroppedTotal);
        var rows = denials.Drain();
        Assert.Equal(100_000, rows.Sum(r => r.Count));
        var other = Assert.Single(rows, r => r.Key.Client == DenialAggregator.Other);
        Assert.Equal(100_000 - 100, other.Count);
        Assert.Equal((DenialAggregator.Any, DenialAggregator.Any, 401), (other.Key.Actor, other.Key.Action, other.Key.Status));
    }

    [Fact]
    public void Record_PastTheOverflowRoom_CountsDropped_AndTheDrainWritesThatCount()
    {
        var denials = Aggregator(maxKeys: 10, maxOverflowKeys: 2);
        for (var minute = 0; minute < 5; minute++)
        {
            for (var i = 0; i < 20; i++)
            {
                denials.Record($"192.0.2.{i}", 401, "anonymous", "GetLicense");
            }

            clock.Advance(TimeSpan.FromMinutes(1));
        }

        Assert.Equal(12, denials.KeyCount);
        Assert.True(denials.DroppedTotal > 0);
        var rows = denials.Drain();
        Assert.Equal(100, rows.Sum(r => r.Count)); // nothing uncounted: held, folded, or in the "dropped" row
        var dropped = Assert.Single(rows, r => r.Key.Client == DenialAggregator.Dropped);
        Assert.Equal(denials.DroppedTotal, dropped.Count);
        Assert.Equal(0, dropped.Key.Status);
    }

    [Fact]
    public void Restore_AfterAFailedWrite_KeepsTheCountsForTheNextDrain_WithinTheBounds()
    {
        var denials = Aggregator(maxKeys: 3, maxOverflowKeys: 1);
        denials.Record("198.51.100.1", 401, "anonymous", "GetLicense");
        denials.Record("198.51.100.2", 401, "anonymous", "GetLicense");
        var failed = denials.Drain();
        denials.Record("198.51.100.1", 401, "anonymous", "GetLicense");
        denials.Record("198.51.100.3", 429, "anonymous", "unmatched");
        denials.Record("198.51.100.4", 429, "anonymous", "unmatched");

        denials.Restore(failed);

        var rows = denials.Drain();
        Assert.Equal(5, rows.Sum(r => r.Count));
        Assert.True(rows.Count <= 4);
        Assert.Equal(2, Assert.Single(rows, r => r.Key.Client == "198.51.100.1").Count);
    }

    [Fact]
    public async Task Record_FromManyThreads_LosesNoCount()
    {
        var denials = Aggregator(maxKeys: 1000);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                denials.Record($"2001:db8:{t}::/64", 401, "anonymous", "GetLicense");
            }
        })));

        Assert.Equal(80_000, denials.Drain().Sum(r => r.Count));
    }

    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:3::1", "2001:db8:1:3::/64")]
    [InlineData("::1", "::/64")]
    public void ClientNetwork_KeysIPv4ByAddressAndIPv6ByItsSlash64(string address, string key) =>
        Assert.Equal(key, ClientNetwork.KeyOf(IPAddress.Parse(address)));

    [Fact]
    public void ClientNetwork_WithoutAnAddress_IsUnknown() => Assert.Equal(ClientNetwork.Unknown, ClientNetwork.KeyOf((IPAddress?)null));
}
