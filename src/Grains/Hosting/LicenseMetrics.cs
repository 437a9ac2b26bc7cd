using System.Diagnostics.Metrics;

namespace OrleansLicenses.Hosting;

/// <summary>
/// The platform's own counters (System.Diagnostics.Metrics, so any OpenTelemetry exporter the deployment adds
/// picks them up next to Orleans' own meters): licences issued, lifecycle events, verifications by result.
/// </summary>
public static class LicenseMetrics
{
    public const string MeterName = "OrleansLicenses";

    private static readonly Meter Meter = new(MeterName, "1.0");

    public static readonly Counter<long> Issued = Meter.CreateCounter<long>("licenses.issued", description: "Licences issued (version 001).");

    public static readonly Counter<long> Events = Meter.CreateCounter<long>("licenses.events", description: "Changes and status events applied.");

    public static readonly Counter<long> Rejected = Meter.CreateCounter<long>("licenses.rejected", description: "Refused transitions and invalid requests that reached a licence grain.");

    public static readonly Counter<long> Verified = Meter.CreateCounter<long>("licenses.verifications", description: "Verifications answered, tagged valid=true|false.");

    public static readonly Counter<long> Refused = Meter.CreateCounter<long>("licenses.verifications.refused", description: "Verifications refused (no presentation, authorization or scope).");
}
