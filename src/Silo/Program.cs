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

        using var host = SiloSetup.BuildHost(args);
        var configuration = host.Services.GetRequiredService<IConfiguration>();
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("OrleansLicenses.Silo");

        // Acknowledged means durable: refuse a server that would not keep commits (development may opt out).
        await DurabilityGuard.CheckAsync(configuration.PostgresConnectionString(), configuration.GetValue<bool>(DurabilityGuard.AllowSetting), logger);
        // The schema must exist before clustering starts; every silo may apply it (an advisory lock serialises them), as
        // the schema owner when ConnectionStrings:Migrations is set, and then runs as its own login that owns nothing.
        await SchemaMigrator.ApplyAsync(configuration.MigrationConnectionString(), logger);
        await host.RunAsync();
    }
}
