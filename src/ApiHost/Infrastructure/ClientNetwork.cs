using System.Net;
using System.Net.Sockets;

namespace OrleansLicenses.ApiHost.Infrastructure;

/// <summary>
/// The network a request comes from, as rate limits and denial counts key it: an IPv4 address as it is, an IPv6
/// address by its /64 (one customer's allocation, so rotating the interface id does not make a new client), an
/// IPv4-mapped IPv6 address as its IPv4 address. Read from <c>HttpContext.Connection.RemoteIpAddress</c>, which
/// the forwarded-headers middleware sets only for configured proxies.
/// </summary>
public static class ClientNetwork
{
    /// <summary>The key of a connection without an IP address (a Unix socket, the in-memory test server).</summary>
    public const string Unknown = "unknown";

    /// <summary>A loopback address, also when it arrives IPv4-mapped on a dual-stack socket (<c>::ffff:127.0.0.1</c>).</summary>
    public static bool IsLoopback(IPAddress address) =>
        IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);

    public static string KeyOf(IPAddress? address)
    {
        if (address is null)
        {
            return Unknown;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes).ToString() + "/64";
    }

    /// <summary>The key of the request's connection.</summary>
    public static string KeyOf(HttpContext http) => KeyOf(http.Connection.RemoteIpAddress);
}
