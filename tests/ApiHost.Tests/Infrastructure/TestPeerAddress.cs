using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace OrleansLicenses.Tests.Infrastructure;

/// <summary>
/// The in-memory test server's requests carry no TCP peer; a test names the peer it plays with <see cref="Header"/>
/// (a test-only stand-in for the socket's address, set before any platform middleware runs).
/// </summary>
public sealed class TestPeerAddress : IStartupFilter
{
    public const string Header = "X-Test-Peer";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((HttpContext http, RequestDelegate inner) =>
        {
            if (IPAddress.TryParse(http.Request.Headers[Header].ToString(), out var peer))
            {
                http.Connection.RemoteIpAddress = peer;
            }

            return inner(http);
        });
        next(app);
    };
}
