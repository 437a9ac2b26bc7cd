using System.Text.Json;

namespace OrleansLicenses.Drills;

/// <summary>A service hall's system: verifies known licences (scope basis), once per request, round-robin over the API hosts.</summary>
internal sealed class VerificationClient(Api api, Logs logs, LicensePool pool, string token, string purpose, TimeSpan timeout)
{
    public async Task RunAsync(int worker, double perSecond, CancellationToken stop)
    {
        var pacer = new Pacer(perSecond);
        var host = worker % api.Count;
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

            if (pool.Pick() is not { } license)
            {
                continue;
            }

            var body = $$"""{"licenseId":"{{license.Id}}","holder":{"idType":"001","idNumber":"{{license.Holder}}"},"matterCode":"230100-FOOD-001","purpose":"{{purpose}}"}""";
            var a = await api.PostAsync(host, "/api/verifications", token, body, null, timeout);
            var code = IssuanceClient.ProblemCode(a.Body);
            logs.Write(new Attempt(a.StartedAt, Math.Round(a.Ms, 1), "verify", host, a.Status, a.Error, a.RetryAfter, null, 1, code,
                a.Status >= 500 && a.Status != 503 ? IssuanceClient.Truncate(a.Body) : null));
            if (a.Status == 200)
            {
                using var doc = JsonDocument.Parse(a.Body);
                var root = doc.RootElement;
                logs.Verified(root.GetProperty("verificationId").GetString() ?? "", license.Id,
                    root.GetProperty("valid").GetBoolean() ? "valid" : "invalid", host, a.StartedAt + (long)a.Ms);
            }

            host = (host + 1) % api.Count;
        }
    }
}
