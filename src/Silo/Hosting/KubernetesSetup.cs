using System.Net;
using Microsoft.Extensions.Configuration;
using Orleans.Configuration;
using Orleans.Hosting.Kubernetes;

namespace OrleansLicenses.Silo.Hosting;

/// <summary>
/// In a Kubernetes pod the silo takes its name, address, service id and cluster id from the pod
/// (<c>UseKubernetesHosting</c>: <c>POD_NAME</c>, <c>POD_IP</c>, <c>POD_NAMESPACE</c>, <c>ORLEANS_SERVICE_ID</c>,
/// <c>ORLEANS_CLUSTER_ID</c>), listens on every address of the pod, and lets one or two silos watch the pods so that a
/// deleted pod's silo is declared dead at once instead of after missed probes.
/// </summary>
public static class KubernetesSetup
{
    public const string EnabledSetting = "Orleans:Kubernetes:Enabled";

    /// <summary>The variable the kubelet sets in every container.</summary>
    public const string ServiceHostVariable = "KUBERNETES_SERVICE_HOST";

    /// <summary><see cref="EnabledSetting"/> when set; otherwise whether this process runs in a Kubernetes container.</summary>
    public static bool IsEnabled(IConfiguration configuration, Func<string, string?> environment) =>
        configuration.GetValue<bool?>(EnabledSetting) ?? !string.IsNullOrEmpty(environment(ServiceHostVariable));

    /// <summary>The ports from <c>Orleans:SiloPort</c>/<c>GatewayPort</c>; the address is the pod's.</summary>
    public static ISiloBuilder UseKubernetesEndpoints(this ISiloBuilder silo, ClusterSettings settings, Func<string, string?> environment)
    {
        // POD_IP is set here, not left to UseKubernetesHosting: Orleans' own default (the first local address) fills
        // the advertised address in a post-configuration that runs before the Kubernetes one, which then keeps it.
        var podIp = environment(KubernetesHostingOptions.PodIPEnvironmentVariable);
        silo.Configure<EndpointOptions>(o =>
        {
            o.SiloPort = settings.SiloPort;
            o.GatewayPort = settings.GatewayPort;
            if (!string.IsNullOrEmpty(podIp))
            {
                o.AdvertisedIPAddress = IPAddress.Parse(podIp);
            }
        });
        return silo.UseKubernetesHosting();
    }
}
