using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OrleansLicenses.Drills;

/// <summary>
/// The figures of one drill from the clients' logs, relative to the marks the drill script wrote (<c>fault</c>: the
/// moment of the fault; <c>back</c>: the moment the failed part was running again). A failure is any attempt not
/// answered 2xx (a status code, a time-out, a refused connection). Restoration is measured from the fault (and from
/// <c>back</c>) to the start of the first successful attempt after the last failed one started.
/// </summary>
internal static class Analysis
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static string Run(string directory, string marksFile, int? excludeHost)
    {
        var attempts = File.ReadLines(Path.Combine(directory, "attempts.jsonl")).Where(l => l.Length > 0)
            .Select(l => JsonSerializer.Deserialize<Attempt>(l, Json)!).OrderBy(a => a.T).ToList();
        var marks = File.ReadLines(marksFile).Select(l => l.Split(' ')).Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => long.Parse(p[1], CultureInfo.InvariantCulture), StringComparer.Ordinal);
        var fault = marks.GetValueOrDefault("fault", attempts.FirstOrDefault()?.T ?? 0);
        long? back = marks.TryGetValue("back", out var b) ? b : null;

        static bool Ok(Attempt a) => a.Status is >= 200 and < 300;
        // With a host killed on purpose, its own refused connections are the fault itself, not a failure of the service.
        var judged = attempts.Where(a => excludeHost is null || a.Api != excludeHost || a.T < fault).ToList();
        var failures = judged.Where(a => !Ok(a)).ToList();
        var lastFailure = failures.Count == 0 ? (long?)null : failures.Max(a => a.T);
        var restoredAt = lastFailure is null ? (long?)null : judged.Where(a => Ok(a) && a.T > lastFailure).Select(a => a.T).DefaultIfEmpty(-1).Min();
        var unavailable = attempts.Where(a => a.Status == 503).ToList();

        var result = new JsonObject
        {
            ["attempts"] = attempts.Count,
            ["by_kind"] = new JsonObject(attempts.GroupBy(a => a.Kind, StringComparer.Ordinal).Select(g => KeyValuePair.Create(g.Key, (JsonNode?)Kind(g.ToList())))),
            ["status_500"] = attempts.Count(a => a.Status == 500),
            ["status_5xx_not_503"] = attempts.Count(a => a.Status >= 500 && a.Status != 503),
            ["samples_5xx"] = new JsonArray([.. attempts.Where(a => a.Status >= 500 && a.Status != 503).Take(5).Select(a => (JsonNode?)$"{a.Kind} {a.Status}: {a.Body}")]),
            ["timeouts"] = attempts.Count(a => a.Error == "timeout"),
            ["client_errors"] = attempts.Count(a => a.Status == 0),
            ["max_latency_ms"] = attempts.Count == 0 ? 0 : attempts.Max(a => a.Ms),
            ["hangs_over_10s"] = attempts.Count(a => a.Ms >= 10_000 || a.Error == "timeout"),
            ["unavailable_503"] = unavailable.Count,
            ["unavailable_without_retry_after"] = unavailable.Count(a => !a.RetryAfter),
            ["max_503_latency_ms"] = unavailable.Count == 0 ? null : unavailable.Max(a => a.Ms),
            ["first_503_after_fault_ms"] = unavailable.Where(a => a.T + a.Ms >= fault).Select(a => (double?)(a.T + a.Ms - fault)).Min(),
            ["failures"] = failures.Count,
            ["failures_before_fault"] = failures.Count(a => a.T < fault - 500),
            ["first_failure_after_fault_ms"] = failures.Count == 0 ? null : failures.Min(a => a.T) - fault,
            ["last_failure_after_fault_ms"] = lastFailure - fault,
            ["restored_after_fault_ms"] = restoredAt is null ? 0 : restoredAt < 0 ? null : restoredAt - fault,
            ["restored_after_back_ms"] = back is null ? null : restoredAt is null ? 0 : restoredAt < 0 ? null : Math.Max(0, restoredAt.Value - back.Value),
            ["excluded_host"] = excludeHost,
            ["per_host"] = new JsonObject(attempts.GroupBy(a => a.Api).OrderBy(g => g.Key).Select(g => KeyValuePair.Create(
                g.Key.ToString(CultureInfo.InvariantCulture), (JsonNode?)new JsonObject { ["ok"] = g.Count(Ok), ["failed"] = g.Count(a => !Ok(a)), ["failed_after_fault"] = g.Count(a => !Ok(a) && a.T >= fault) }))),
            ["acknowledged_issuances"] = File.ReadLines(Path.Combine(directory, "acked-issues.csv")).Count(),
            ["issuances_acknowledged_after_retry"] = File.ReadLines(Path.Combine(directory, "acked-issues.csv")).Count(l => !l.EndsWith(",1", StringComparison.Ordinal)),
            ["unresolved_issuances"] = File.ReadLines(Path.Combine(directory, "unresolved-issues.csv")).Count(),
            ["acknowledged_verifications"] = File.ReadLines(Path.Combine(directory, "acked-verifications.csv")).Count(),
        };
        return result.ToJsonString();
    }

    private static JsonObject Kind(List<Attempt> attempts)
    {
        var latencies = attempts.Where(a => a.Status != 0).Select(a => a.Ms).Order().ToList();
        return new JsonObject
        {
            ["attempts"] = attempts.Count,
            ["ok"] = attempts.Count(a => a.Status is >= 200 and < 300),
            ["statuses"] = new JsonObject(attempts.GroupBy(a => a.Status == 0 ? a.Error ?? "error" : a.Status.ToString(CultureInfo.InvariantCulture), StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => KeyValuePair.Create(g.Key, (JsonNode?)g.Count()))),
            ["p50_ms"] = Percentile(latencies, 0.50),
            ["p99_ms"] = Percentile(latencies, 0.99),
        };
    }

    private static double? Percentile(List<double> sorted, double p) => sorted.Count == 0 ? null : sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];
}
