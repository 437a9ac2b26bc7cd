using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OrleansLicenses.Hosting;

namespace OrleansLicenses.Silo.Hosting;

/// <summary>
/// OpenTelemetry metrics of a silo — Orleans (messaging, activations, storage), the .NET runtime, Npgsql and the
/// platform's own meters (verifications by outcome, journal group-commit batch sizes) — in Prometheus text format
/// on the management listener <c>http://{Metrics:Host}:{Metrics:Port}/metrics</c> (host default 127.0.0.1).
/// A silo has no HTTP surface otherwise and no way to check a platform token, so the listener is off unless set and
/// must be reachable from the monitoring network only (loopback on a VM; a NetworkPolicy in Kubernetes). It
/// serves counters and histograms that name no licence or person.
/// </summary>
public static class SiloMetrics
{
    public const string PortSetting = "Metrics:Port";

    public const string HostSetting = "Metrics:Host";

    public static HostApplicationBuilder AddSiloMetrics(this HostApplicationBuilder builder)
    {
        var port = builder.Configuration.GetValue<int>(PortSetting);
        if (port <= 0)
        {
            return builder;
        }

        var host = builder.Configuration[HostSetting] is { Length: > 0 } h ? h : "127.0.0.1";
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("orleans-licenses-silo", serviceInstanceId: Environment.MachineName + ":" + builder.Configuration["Orleans:SiloPort"]))
            .WithMetrics(metrics => metrics
                .AddRuntimeInstrumentation()
                .AddMeter(TelemetryMeters.All)
                .AddPrometheusHttpListener(o =>
                {
                    o.Host = host;
                    o.Port = port;
                    o.ScrapeEndpointPath = "/metrics";
                }));
        return builder;
    }
}
