using System.Diagnostics;
using System.Diagnostics.Metrics;
using OrleansLicenses.Errors;
using OrleansLicenses.Hosting;

namespace OrleansLicenses.ApiHost.Infrastructure;

/// <summary>The API host's own request-level instruments (meter <see cref="TelemetryMeters.Api"/>).</summary>
public static class ApiMetrics
{
    private static readonly Meter Meter = new(TelemetryMeters.Api, "1.0");

    private static readonly Histogram<double> IssuanceDuration = Meter.CreateHistogram<double>("licenses.issuance.duration", unit: "s",
        description: "Issuance as the department system sees it, from the grain call to the durable commit; outcome=issued|refused|failed.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });

    /// <summary>Times an issuance and records it with its outcome; the call's result or exception passes through.</summary>
    public static async Task<T> MeasureIssuanceAsync<T>(Task<T> issuance)
    {
        var started = Stopwatch.GetTimestamp();
        var outcome = "failed";
        try
        {
            var result = await issuance;
            outcome = "issued";
            return result;
        }
        catch (DomainException)
        {
            outcome = "refused";
            throw;
        }
        finally
        {
            IssuanceDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("outcome", outcome));
        }
    }
}
