using System.Diagnostics.Metrics;

namespace OrleansLicenses.Hosting;

/// <summary>
/// The platform's own counters (System.Diagnostics.Metrics, so any OpenTelemetry exporter the deployment adds
/// picks them up next to Orleans' own meters): licences issued, lifecycle events, verifications by result.
/// </summary>
public static class LicenseMetrics
{
    public const string MeterName = TelemetryMeters.Licenses;

    private static readonly Meter Meter = new(MeterName, "1.0");

    public static readonly Counter<long> Issued = Meter.CreateCounter<long>("licenses.issued", description: "Licences issued (version 001).");

    public static readonly Counter<long> Events = Meter.CreateCounter<long>("licenses.events", description: "Changes and status events applied.");

    public static readonly Counter<long> Rejected = Meter.CreateCounter<long>("licenses.rejected", description: "Refused transitions and invalid requests that reached a licence grain.");

    public static readonly Counter<long> Verified = Meter.CreateCounter<long>("licenses.verifications", description: "Verifications answered, tagged valid=true|false.");

    public static readonly Histogram<int> JournalBatchSize = Meter.CreateHistogram<int>("licenses.journal.batch.size", unit: "{record}",
        description: "Verification records committed per transaction by the silo's verification journal (group commit).",
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512] });

    public static readonly Histogram<double> JournalCommitDuration = Meter.CreateHistogram<double>("licenses.journal.commit.duration", unit: "s",
        description: "Time of one verification-journal transaction, from open to durable commit.");

    public static readonly Counter<long> JournalFailures = Meter.CreateCounter<long>("licenses.journal.failures", unit: "{record}",
        description: "Verification records not committed (answered 503).");

    /// <summary>Exported as <c>licenses_push_lag_seconds</c>.</summary>
    public static readonly Histogram<double> PushLag = Meter.CreateHistogram<double>("licenses.push.lag", unit: "s",
        description: "Delay from a licence change's commit here to the upper library's acknowledgement of it (upstream push).",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300] });

    public static readonly Counter<long> Refused = Meter.CreateCounter<long>("licenses.verifications.refused", description: "Verifications refused (no presentation, authorization or scope).");
}
