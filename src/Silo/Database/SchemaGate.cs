using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using OrleansLicenses.Silo.Hosting;

namespace OrleansLicenses.Silo.Database;

/// <summary>What a silo does with the schema before clustering starts, by its <see cref="MigrationMode"/>.</summary>
public static class SchemaGate
{
    /// <returns>Whether the silo should go on to start (false: the migrations were the whole job).</returns>
    /// <exception cref="InvalidOperationException">In <see cref="MigrationMode.Verify"/>, a migration is pending.</exception>
    public static async Task<bool> PassAsync(IConfiguration configuration, ILogger logger, CancellationToken ct = default)
    {
        var mode = MigrationModes.Of(configuration);
        if (mode == MigrationMode.Verify)
        {
            var pending = await SchemaMigrator.PendingAsync(configuration.PostgresConnectionString(), ct);
            return pending.Count == 0 ? true : throw new InvalidOperationException(
                $"The database schema is not current ({string.Join(", ", pending)} pending) and {MigrationModes.Setting}=Verify: run the migrations first.");
        }

        // Every silo may apply it (an advisory lock serialises them), as the schema owner when ConnectionStrings:Migrations
        // is set, and then runs as its own login that owns nothing.
        await SchemaMigrator.ApplyAsync(configuration.MigrationConnectionString(), logger, ct);
        return mode == MigrationMode.OnStart;
    }
}
