namespace OrleansLicenses.Silo.Hosting;

/// <summary>Cluster settings, bound from the <c>Orleans</c> configuration section (appsettings, then environment).</summary>
public sealed class ClusterSettings
{
    public const string Section = "Orleans";

    /// <summary>Stable across deployments: grain state and reminders are keyed by it.</summary>
    public string ServiceId { get; set; } = "orleans-licenses";

    /// <summary>One deployment of the cluster. Each local run and each test run uses its own.</summary>
    public string ClusterId { get; set; } = "local";

    public int SiloPort { get; set; } = 11111;

    public int GatewayPort { get; set; } = 30000;

    /// <summary>The address other silos and clients use to reach this silo.</summary>
    public string AdvertisedIPAddress { get; set; } = "127.0.0.1";
}
