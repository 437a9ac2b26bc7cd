using System.Text.Json;

namespace OrleansLicenses.Drills;

/// <summary>
/// An issuing unit's system: each issuance has its own Idempotency-Key (and a new holder); a 503, a 502/504, a
/// 409 "still in progress", a time-out or a refused connection is retried with the same key and body on the next
/// API host, after the server's Retry-After but at most 1 s, until it is acknowledged or its retry budget is spent.
/// </summary>
internal sealed class IssuanceClient(Api api, Logs logs, LicensePool pool, IssuanceSettings settings)
{
    private long counter;

    public async Task RunAsync(int worker, double perSecond, CancellationToken stop)
    {
        var pacer = new Pacer(perSecond);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await pacer.WaitAsync(stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            var n = Interlocked.Increment(ref counter);
            await IssueOneAsync(worker, n);
        }
    }

    /// <summary>One issuance to its end (acknowledged, refused, or out of retry budget); never cut off by the stop signal.</summary>
    private async Task IssueOneAsync(int worker, long n)
    {
        var key = $"{settings.Prefix}-{n:D7}";
        var holder = Codes.CreditCode(settings.HolderBase + n);
        var body = $$"""{"typeCode":"11230000000000019J001","holder":{"idType":"001","idNumber":"{{holder}}","name":"演练餐饮{{n}}有限公司"},"fields":{"operatorName":"演练餐饮{{n}}有限公司","legalRepresentative":"张三","address":"哈尔滨市南岗区演练路{{n}}号","category":"餐饮服务经营者"},"validFrom":"{{settings.ValidFrom}}"}""";
        var deadline = DateTimeOffset.UtcNow + settings.RetryBudget;
        var host = (int)((n + worker) % api.Count);
        string last = "";
        for (var attempt = 1; ; attempt++)
        {
            var a = await api.PostAsync(host, "/api/licenses", settings.Token, body, key, settings.Timeout);
            var code = ProblemCode(a.Body);
            logs.Write(new Attempt(a.StartedAt, Math.Round(a.Ms, 1), "issue", host, a.Status, a.Error, a.RetryAfter, key, attempt, code,
                a.Status >= 500 && a.Status != 503 ? Truncate(a.Body) : null));
            if (a.Status == 201)
            {
                var id = JsonDocument.Parse(a.Body).RootElement.GetProperty("id").GetString() ?? "";
                logs.Issued(key, id, holder, host, a.StartedAt + (long)a.Ms, attempt);
                pool.Add(id, holder);
                return;
            }

            last = a.Error ?? $"{a.Status}{(code is null ? "" : " " + code)}";
            var transient = a.Status is 0 or 502 or 503 or 504 || (a.Status == 409 && code == "idempotency.in_flight");
            if (!transient || DateTimeOffset.UtcNow >= deadline)
            {
                logs.Unresolved(key, holder, last);
                return;
            }

            var wait = a.Status == 0 && a.Error != "timeout" ? TimeSpan.FromMilliseconds(100) : TimeSpan.FromSeconds(1);
            await Task.Delay(wait * (0.5 + Random.Shared.NextDouble() / 2));
            host = (host + 1) % api.Count;
        }
    }

    internal static string? ProblemCode(string body)
    {
        if (body.Length == 0 || body[0] != '{')
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    internal static string Truncate(string body) => body.Length <= 400 ? body : body[..400];
}

/// <summary>What every issuance of a run shares.</summary>
internal sealed record IssuanceSettings(string Token, string Prefix, long HolderBase, string ValidFrom, TimeSpan Timeout, TimeSpan RetryBudget);
