using System.Net;
using OrleansLicenses.Tests.Infrastructure;

namespace OrleansLicenses.Tests.Edge;

/// <summary>A fixture on its own PostgreSQL server, so stopping it does not disturb other tests.</summary>
public sealed class OwnServerApiFixture : ApiFixture
{
    private PostgresServer? server;

    public PostgresServer Server => server!;

    protected override async Task<PostgresServer> ServerAsync() => server = await PostgresServer.StartAsync();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (server is not null)
        {
            await server.DisposeAsync();
        }
    }
}

public sealed class HealthTests(OwnServerApiFixture fixture) : IClassFixture<OwnServerApiFixture>
{
    [Fact]
    public async Task Ready_Is503WhilePostgresIsDown_And200WhenItIsBack()
    {
        using var http = fixture.Anonymous();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, await WaitForStatus(http, HttpStatusCode.OK));

        await fixture.Server.StopServerAsync();
        try
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, await WaitForStatus(http, HttpStatusCode.ServiceUnavailable));
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
        }
        finally
        {
            await fixture.Server.StartServerAsync();
        }

        Assert.Equal(HttpStatusCode.OK, await WaitForStatus(http, HttpStatusCode.OK));
    }

    private static async Task<HttpStatusCode> WaitForStatus(HttpClient http, HttpStatusCode wanted)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        HttpStatusCode last;
        do
        {
            using var response = await http.GetAsync("/health/ready");
            last = response.StatusCode;
            if (last == wanted)
            {
                return last;
            }

            await Task.Delay(200);
        }
        while (DateTime.UtcNow < deadline);
        return last;
    }
}
