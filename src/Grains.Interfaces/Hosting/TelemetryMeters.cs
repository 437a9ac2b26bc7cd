namespace OrleansLicenses.Hosting;

/// <summary>
/// The meters a host exports (silo and API host alike): Orleans' own, Npgsql's, and the platform's. The platform's
/// instruments are plain <see cref="System.Diagnostics.Metrics"/>; the hosts decide how to export them.
/// </summary>
public static class TelemetryMeters
{
    /// <summary>Orleans runtime metrics (messaging, activations, storage, gateway).</summary>
    public const string Orleans = "Microsoft.Orleans";

    /// <summary>Npgsql's pool and command metrics.</summary>
    public const string Npgsql = "Npgsql";

    /// <summary>Licence lifecycle, verifications by outcome and the silo's verification-journal commits.</summary>
    public const string Licenses = "OrleansLicenses";

    /// <summary>The API host's audit writer and denial aggregate.</summary>
    public const string Audit = "OrleansLicenses.Audit";

    /// <summary>The API host's request-level figures (issuance latency).</summary>
    public const string Api = "OrleansLicenses.Api";

    public static readonly string[] All = [Orleans, Npgsql, Licenses, Audit, Api];
}
