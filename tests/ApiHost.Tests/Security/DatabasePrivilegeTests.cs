using System.Net.Http.Json;
using Npgsql;
using OrleansLicenses.Tests.Infrastructure;

namespace OrleansLicenses.Tests.Security;

/// <summary>The API host's database login can read and append what it must, and change nothing the grains own.</summary>
[Collection(ApiCollection.Name)]
public sealed class DatabasePrivilegeTests(ApiFixture fixture)
{
    [Theory]
    [InlineData("UPDATE licenses SET status = 'valid'")]
    [InlineData("DELETE FROM license_uses")]
    [InlineData("UPDATE orleansstorage SET version = version")]
    [InlineData("UPDATE grain_states SET etag = etag")]
    [InlineData("DELETE FROM catalog_types")]
    [InlineData("INSERT INTO published_certificates (serial_number, kind, certificate, not_before, not_after, is_current) VALUES ('x', 'root', '\\x00', now(), now(), true)")]
    [InlineData("TRUNCATE audit_records")]
    // Nor read what only grains need: client secret hashes, idempotency records, key material, the change feed.
    [InlineData("SELECT count(*) FROM orleansstorage")]
    [InlineData("SELECT count(*) FROM grain_states")]
    [InlineData("SELECT count(*) FROM license_state")]
    [InlineData("SELECT count(*) FROM license_changes")]
    [InlineData("SELECT count(*) FROM orleansreminderstable")]
    public async Task ApiHostLogin_CannotChangeWhatGrainsOwn(string sql)
    {
        await using var connection = new NpgsqlConnection(fixture.ApiConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        var error = await Assert.ThrowsAsync<PostgresException>(() => cmd.ExecuteNonQueryAsync());
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
    }

    /// <summary>The silos' login writes grain state and appends to the audit trail, but owns nothing: it cannot switch
    /// the append-only triggers off, rewrite or drop the trail, or move the main chain's head.</summary>
    [Theory]
    [InlineData("ALTER TABLE audit_records DISABLE TRIGGER USER")]
    [InlineData("DELETE FROM audit_records")]
    [InlineData("DELETE FROM audit_checkpoints")]
    [InlineData("UPDATE audit_chain_head SET seq = 0")]
    [InlineData("TRUNCATE audit_records")]
    [InlineData("DROP TABLE license_state")]
    [InlineData("ALTER TABLE licenses DISABLE TRIGGER ALL")]
    [InlineData("DELETE FROM schema_migrations")]
    public async Task SiloLogin_OwnsNothing_AndCannotRewriteTheAuditTrail(string sql)
    {
        await using var connection = new NpgsqlConnection(fixture.SiloConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        var error = await Assert.ThrowsAsync<PostgresException>(() => cmd.ExecuteNonQueryAsync());
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
    }

    [Fact]
    public async Task ApiHostLogin_ReadsTheReadModelRowOfALicenceJustIssued()
    {
        using var admin = await fixture.AsAdminAsync();
        await Demo.SeedAsync(admin);
        var (issuerId, issuerSecret) = await fixture.RegisterClientAsync("issuer", Demo.HarbinMarket);
        using var issuer = await fixture.AsClientAsync(issuerId, issuerSecret);
        var holder = Licenses.LicenseApiTests.NewCompany();
        using var issued = await issuer.PostAsJsonAsync("/api/licenses", Licenses.LicenseApiTests.IssueBody(holder));
        Assert.Equal(System.Net.HttpStatusCode.Created, issued.StatusCode);
        var id = (await issued.ReadJson()).GetProperty("id").GetString();

        await using var connection = new NpgsqlConnection(fixture.ApiConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT identifier FROM licenses WHERE holder_id_number = $1", connection);
        cmd.Parameters.AddWithValue(holder);
        Assert.Equal(id, await cmd.ExecuteScalarAsync());
    }
}
