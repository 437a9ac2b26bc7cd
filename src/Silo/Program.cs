using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansLicenses.Silo.Database;
using OrleansLicenses.Silo.Hosting;
using OrleansLicenses.Silo.Operations;

namespace OrleansLicenses.Silo;

internal static class SiloProgram
{
    public static async Task Main(string[] args)
    {
        if (await SignaturesCommandLine.TryRunAsync(args))
        {
            return; // signatures-verify: every stored licence signature against its certificate chain, no silo started
        }

        if (await ReconcileCommandLine.TryRunAsync(args))
        {
            return; // reconcile: compare digests with the upper library and push again what differs, no silo started
        }

        // A migrations job (Database:Migrations=Only) needs the database settings only: no silo, no cluster certificate.
        var migrationsOnly = MigrationModes.Of(Host.CreateApplicationBuilder(args).Configuration) == MigrationMode.Only;
        using var host = migrationsOnly ? Host.CreateApplicationBuilder(args).Build() : SiloSetup.BuildHost(args);
        var configuration = host.Services.GetRequiredService<IConfiguration>();
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("OrleansLicenses.Silo");

        // Acknowledged means durable: refuse a server that would not keep commits (development may opt out).
        var database = migrationsOnly ? configuration.MigrationConnectionString() : configuration.PostgresConnectionString();
        await DurabilityGuard.CheckAsync(database, configuration.GetValue<bool>(DurabilityGuard.AllowSetting), logger);
        // The schema must be current before clustering starts: applied here, or by a migrations job (Database:Migrations).
        if (await SchemaGate.PassAsync(configuration, logger))
        {
            await host.RunAsync();
        }
    }
}
