using OrleansLicenses.Silo.Database;

namespace OrleansLicenses.Tests;

/// <summary>A fresh database on the shared test server with the production migrations applied.</summary>
public static class PlatformDatabase
{
    public static async Task<string> CreateAsync(PostgresServer? server = null)
    {
        server ??= await PostgresServer.Shared;
        var connectionString = await server.CreateDatabaseAsync();
        await SchemaMigrator.ApplyAsync(connectionString);
        return connectionString;
    }
}
