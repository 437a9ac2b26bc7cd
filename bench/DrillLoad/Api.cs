using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;

namespace OrleansLicenses.Drills;

/// <summary>The outcome of one HTTP attempt: a status code (0 when none came back) and the client-side error.</summary>
internal sealed record Answer(int Status, string Body, bool RetryAfter, string? Error, double Ms, long StartedAt);

/// <summary>The API hosts, one connection pool each; every attempt is bounded by the client timeout.</summary>
internal sealed class Api : IDisposable
{
    private readonly HttpClient[] hosts;

    public Api(IEnumerable<string> urls)
    {
        hosts = [.. urls.Select(u => new HttpClient(new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(2),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            MaxConnectionsPerServer = 64,
        })
        {
            BaseAddress = new Uri(u),
            Timeout = Timeout.InfiniteTimeSpan,
        })];
    }

    public int Count => hosts.Length;

    public async Task<Answer> PostAsync(int host, string path, string token, string json, string? idempotencyKey, TimeSpan timeout)
    {
        var started = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var clock = Stopwatch.StartNew();
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        using var cts = new CancellationTokenSource(timeout);
        try
        {
            using var response = await hosts[host].SendAsync(request, cts.Token);
            var body = await response.Content.ReadAsStringAsync(cts.Token);
            return new Answer((int)response.StatusCode, body, response.Headers.RetryAfter is not null, null, clock.Elapsed.TotalMilliseconds, started);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            return new Answer(0, "", false, "timeout", clock.Elapsed.TotalMilliseconds, started);
        }
        catch (HttpRequestException e)
        {
            return new Answer(0, "", false, e.HttpRequestError.ToString(), clock.Elapsed.TotalMilliseconds, started);
        }
    }

    public void Dispose()
    {
        foreach (var h in hosts)
        {
            h.Dispose();
        }
    }
}
