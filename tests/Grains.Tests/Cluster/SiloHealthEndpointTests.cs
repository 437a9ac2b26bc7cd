using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansLicenses.Silo.Hosting;

namespace OrleansLicenses.Tests.Cluster;

public sealed class SiloHealthEndpointTests
{
    [Fact]
    public async Task Ready_FollowsTheSiloStatus_LiveAnswersThroughout()
    {
        var active = false;
        var url = $"http://127.0.0.1:{FreePort()}/";
        using var endpoint = new SiloHealthEndpoint(url, () => active, NullLogger<SiloHealthEndpoint>.Instance);
        await endpoint.StartAsync(CancellationToken.None);
        using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("health/live")).StatusCode);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync("health/ready")).StatusCode);
            active = true;
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("health/ready")).StatusCode);
            Assert.Equal("ok\n", await http.GetStringAsync("health/ready"));
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("health/other")).StatusCode);
            Assert.Equal(HttpStatusCode.MethodNotAllowed, (await http.PostAsync("health/live", null)).StatusCode);
        }
        finally
        {
            await endpoint.StopAsync(CancellationToken.None);
        }

        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync("health/live"));
    }

    [Theory]
    [InlineData("GET", "/health/live", false, HttpStatusCode.OK)]
    [InlineData("HEAD", "/health/ready", true, HttpStatusCode.OK)]
    [InlineData("GET", "/health/ready", false, HttpStatusCode.ServiceUnavailable)]
    [InlineData("GET", "/", true, HttpStatusCode.NotFound)]
    [InlineData("DELETE", "/health/ready", true, HttpStatusCode.MethodNotAllowed)]
    public void StatusFor_AnswersOnlyTheTwoProbes(string method, string path, bool active, HttpStatusCode expected) =>
        Assert.Equal(expected, SiloHealthEndpoint.StatusFor(method, path, active));

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
