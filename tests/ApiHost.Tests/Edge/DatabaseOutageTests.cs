using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using OrleansLicenses.Tests.Infrastructure;
using OrleansLicenses.Tests.Licenses;

namespace OrleansLicenses.Tests.Edge;

/// <summary>Its own PostgreSQL server, because it is crashed in the middle of the test.</summary>
public sealed class DatabaseOutageFixture : ApiFixture
{
    private PostgresServer? server;

    public PostgresServer Server => server ?? throw new InvalidOperationException("Not started.");

    protected override async Task<PostgresServer> ServerAsync() => server ??= await PostgresServer.StartAsync();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (server is not null)
        {
            await server.DisposeAsync();
        }
    }
}

public sealed class DatabaseOutageTests(DatabaseOutageFixture fixture) : IClassFixture<DatabaseOutageFixture>
{
    [Fact]
    public async Task PostgresCrashDuringIssuance_AnswersOnlySuccessOr503_AndEverySuccessIsStored()
    {
        using var admin = await fixture.AsAdminAsync();
        await Demo.SeedAsync(admin);
        var (id, secret) = await fixture.RegisterClientAsync("issuer", Demo.HarbinMarket);
        using var issuer = await fixture.AsClientAsync(id, secret);

        var answers = new ConcurrentBag<(HttpStatusCode Status, string? LicenseId, string Body)>();
        using var stop = new CancellationTokenSource();
        async Task IssueUntilStopped()
        {
            while (!stop.IsCancellationRequested)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/api/licenses") { Content = JsonContent.Create(LicenseApiTests.IssueBody(LicenseApiTests.NewCompany())) };
                request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
                using var response = await issuer.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                string? licenseId = null;
                if (response.StatusCode == HttpStatusCode.Created)
                {
                    licenseId = System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("id").GetString();
                }

                answers.Add((response.StatusCode, licenseId, body));
            }
        }

        var load = Enumerable.Range(0, 8).Select(_ => IssueUntilStopped()).ToList();
        await WaitFor(() => answers.Count(a => a.Status == HttpStatusCode.Created) >= 20);
        await fixture.Server.CrashServerAsync();
        var crashedAt = answers.Count;
        await WaitFor(() => answers.Count >= crashedAt + 20);
        await fixture.Server.StartServerAsync();
        var restartedAt = answers.Count(a => a.Status == HttpStatusCode.Created);
        await WaitFor(() => answers.Count(a => a.Status == HttpStatusCode.Created) >= restartedAt + 20, seconds: 90);
        await stop.CancelAsync();
        await Task.WhenAll(load);

        var unexpected = answers.Where(a => a.Status is not (HttpStatusCode.Created or HttpStatusCode.ServiceUnavailable)).ToList();
        Assert.True(unexpected.Count == 0, string.Join("\n", unexpected.Take(5).Select(a => $"{(int)a.Status}: {a.Body}"))
            + "\n" + string.Join("\n", LogSink.Lines.Where(l => l.Contains("Unhandled", StringComparison.Ordinal)).Take(3)));
        Assert.Contains(answers, a => a.Status == HttpStatusCode.ServiceUnavailable);
        foreach (var (_, licenseId, _) in answers.Where(a => a.Status == HttpStatusCode.Created))
        {
            Assert.Equal(1L, await fixture.ScalarAsync("SELECT count(*) FROM licenses WHERE identifier = $1", licenseId!));
            Assert.Equal(1L, await fixture.ScalarAsync("SELECT count(*) FROM license_changes WHERE identifier = $1 AND operation = 'issue'", licenseId!));
        }
    }

    private static async Task WaitFor(Func<bool> condition, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"The condition did not hold within {seconds} s.");
            await Task.Delay(50);
        }
    }
}
