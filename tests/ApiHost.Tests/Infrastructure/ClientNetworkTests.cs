using System.Net;
using OrleansLicenses.ApiHost.Infrastructure;
using Xunit;

namespace OrleansLicenses.Tests.Infrastructure;

/// <summary>Loopback detection as the dashboard policy and the development minter use it, and the rate-limit key.</summary>
public sealed class ClientNetworkTests
{
    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.10.0.3", true)]
    [InlineData("::1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("::ffff:10.0.0.1", false)]
    [InlineData("10.0.0.1", false)]
    [InlineData("2001:db8::1", false)]
    public void IsLoopback_TreatsIPv4MappedAddressesAsTheirIPv4Address(string address, bool loopback) =>
        Assert.Equal(loopback, ClientNetwork.IsLoopback(IPAddress.Parse(address)));

    [Theory]
    [InlineData("::ffff:192.0.2.7", "192.0.2.7")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    public void KeyOf_MapsIPv4AndGroupsIPv6By64(string address, string key) =>
        Assert.Equal(key, ClientNetwork.KeyOf(IPAddress.Parse(address)));
}
