using Orleans.Configuration;
using Orleans.Dashboard;

namespace OrleansLicenses.ApiHost.Infrastructure;

/// <summary>The API host is an Orleans client of the PostgreSQL-clustered silos.</summary>
public static class OrleansClientSetup
{
    public static WebApplicationBuilder AddLicenseClusterClient(this WebApplicationBuilder builder)
    {
        var connectionString = OrleansLicenses.Hosting.PostgresConnectionStrings.ForPlatform(builder.Configuration.GetConnectionString("Postgres")
            ?? throw new InvalidOperationException("ConnectionStrings:Postgres is not configured."));
        var section = builder.Configuration.GetSection("Orleans");
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o =>
            {
                o.ServiceId = section["ServiceId"] ?? "orleans-licenses";
                o.ClusterId = section["ClusterId"] ?? "local";
            });
            client.UseAdoNetClustering(o =>
            {
                o.Invariant = "Npgsql";
                o.ConnectionString = connectionString;
            });
            // A short response timeout: a request never hangs for the 30 s default behind a dead silo;
            // the exception handler turns the timeout into 503 + Retry-After.
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(
                section.GetValue("ResponseTimeoutSeconds", 5)));
            // Start-up waits for the first gateway for up to a minute, so the host can start just before its silos.
            var attempts = 0;
            client.UseConnectionRetryFilter(async (_, ct) =>
            {
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
                return ++attempts <= 60;
            });
            client.AddDashboard();
            client.UseClusterTls(builder.Configuration, builder.Environment.IsDevelopment());
        });
        builder.Services.AddSingleton(Npgsql.NpgsqlDataSource.Create(connectionString));
        return builder;
    }

}
