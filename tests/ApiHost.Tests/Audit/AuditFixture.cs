using System.Security.Cryptography;
using Microsoft.AspNetCore.Hosting;
using Npgsql;
using OrleansLicenses.Tests.Infrastructure;

namespace OrleansLicenses.Tests.Audit;

/// <summary>
/// The API host on its own database, connected as a restricted login role as production should be: a member of
/// <c>ol_audit_writer</c> (INSERT/SELECT on audit rows, nothing else on them) that can read the other tables
/// (<c>pg_read_all_data</c>) and write nothing else. Silos and the tests' own SQL use the superuser. Periodic
/// checkpoints are off; the tests make them on demand.
/// </summary>
public sealed class AuditFixture : ApiFixture
{
    public const string WriterRole = "ol_audit_writer";

    public string AppRole { get; } = $"ol_api_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(5))}";

    public string CheckpointKey { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public string AppConnectionString => new NpgsqlConnectionStringBuilder(ConnectionString) { Username = AppRole }.ConnectionString;

    protected override async Task<PostgresServer> ServerAsync()
    {
        var server = await base.ServerAsync();
        await using var connection = new NpgsqlConnection(server.ConnectionString("postgres"));
        await connection.OpenAsync();
        // The migration creates the group role too; whoever comes first wins (roles are cluster-wide).
        await using (var group = new NpgsqlCommand($"""
            DO $$ BEGIN CREATE ROLE {WriterRole} NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$
            """, connection))
        {
            await group.ExecuteNonQueryAsync();
        }

        await using var login = new NpgsqlCommand($"CREATE ROLE {AppRole} LOGIN IN ROLE pg_read_all_data, {WriterRole}", connection);
        await login.ExecuteNonQueryAsync();
        return server;
    }

    protected override void ConfigureHost(IWebHostBuilder web)
    {
        web.UseSetting("ConnectionStrings:Postgres", AppConnectionString);
        web.UseSetting("Audit:CheckpointKey", CheckpointKey);
        web.UseSetting("Audit:CheckpointIntervalSeconds", "0");
    }

    /// <summary>Runs SQL as the superuser.</summary>
    public async Task ExecuteAsync(string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        foreach (var p in parameters)
        {
            cmd.Parameters.AddWithValue(p);
        }

        await cmd.ExecuteNonQueryAsync();
    }

    public async Task<T> ScalarAsync<T>(string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        foreach (var p in parameters)
        {
            cmd.Parameters.AddWithValue(p);
        }

        return (T)(await cmd.ExecuteScalarAsync())!;
    }
}

[CollectionDefinition(Name)]
public sealed class AuditCollection : ICollectionFixture<AuditFixture>
{
    public const string Name = "audit";
}
