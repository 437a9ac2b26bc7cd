using System.Net;
using System.Net.Sockets;

namespace OrleansLicenses.Tests;

/// <summary>Free loopback ports for the servers a test starts.</summary>
public static class Ports
{
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
