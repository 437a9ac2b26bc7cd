using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OrleansLicenses.ApiHost.Audit;
using OrleansLicenses.ApiHost.Auth;
using OrleansLicenses.Hosting;

namespace OrleansLicenses.ApiHost.Infrastructure;

/// <summary>
/// OpenTelemetry metrics of the API host — ASP.NET Core and Kestrel, the .NET runtime, the Orleans client, Npgsql and
/// the platform's own meters (<see cref="TelemetryMeters"/>) — in Prometheus text format at <see cref="Path"/>, for
/// admins only. Prometheus scrapes it with the OAuth2 client-credentials support of its scrape configuration
/// (an admin client of this platform); the figures name no person, so a scrape is not an audited read.
/// </summary>
public static class PlatformMetrics
{
    public const string Path = "/api/admin/metrics";

    /// <summary>
    /// How many instruments the meter provider keeps (<c>Metrics:MaxMetricStreams</c>). OpenTelemetry counts every
    /// instrument it ever saw, disposed ones included, and silently drops new ones past its limit (1000 by default);
    /// in a process that hosts more than one Orleans client or web host over its life (tests, tools) the limit was
    /// reached and the ASP.NET Core and Orleans series vanished from the scrape.
    /// </summary>
    public const int DefaultMaxMetricStreams = 10_000;

    public static WebApplicationBuilder AddPlatformMetrics(this WebApplicationBuilder builder)
    {
        var maxStreams = builder.Configuration.GetValue("Metrics:MaxMetricStreams", DefaultMaxMetricStreams);
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("orleans-licenses-api", serviceInstanceId: Environment.MachineName))
            .WithMetrics(metrics => metrics
                .SetMaxMetricStreams(maxStreams)
                .AddAspNetCoreInstrumentation()
                .AddMeter("Microsoft.AspNetCore.Server.Kestrel")
                .AddRuntimeInstrumentation()
                .AddMeter(TelemetryMeters.All)
                .AddPrometheusExporter());
        return builder;
    }

    public static WebApplication MapPlatformMetrics(this WebApplication app)
    {
        // Operators' plumbing, not the integrators' contract: left out of the OpenAPI document (README lists it).
        app.MapPrometheusScrapingEndpoint(Path).RequireAuthorization(Policies.Admin).WithAuditScope(AuditScope.None).ExcludeFromDescription();
        return app;
    }
}
