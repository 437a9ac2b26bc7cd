using System.Net;
using System.Net.Http.Json;
using Npgsql;
using OrleansLicenses.Tests.Infrastructure;
using OrleansLicenses.Tests.Licenses;

namespace OrleansLicenses.Tests.Verification;

/// <summary>Its own cluster, because a silo is killed.</summary>
public sealed class KillableApiFixture : ApiFixture;

public sealed class ArchiveDurabilityTests(KillableApiFixture fixture) : IClassFixture<KillableApiFixture>
{
    [Fact]
    public async Task EveryOkVerification_IsArchived_EvenWhenASiloIsKilledRightAfterResponding()
    {
        using var admin = await fixture.AsAdminAsync();
        await Demo.SeedAsync(admin);
        var (issuerId, issuerSecret) = await fixture.RegisterClientAsync("issuer", Demo.HarbinMarket);
        var (hallId, hallSecret) = await fixture.RegisterClientAsync("verifier", Demo.HarbinCentre);
        using var issuer = await fixture.AsClientAsync(issuerId, issuerSecret);
        using var hall = await fixture.AsClientAsync(hallId, hallSecret);
        var holder = LicenseApiTests.NewCompany();
        var id = (await (await issuer.PostAsJsonAsync("/api/licenses", LicenseApiTests.IssueBody(holder))).ReadJson()).GetProperty("id").GetString();

        var responses = await Task.WhenAll(Enumerable.Range(0, 40).Select(async _ =>
        {
            using var response = await hall.PostAsJsonAsync("/api/verifications", new
            {
                licenseId = id, holder = new { idType = "001", idNumber = holder }, matterCode = Demo.FoodMatter, purpose = "durability",
            });
            return (response.StatusCode, Id: response.StatusCode == HttpStatusCode.OK ? (await response.ReadJson()).GetProperty("verificationId").GetString() : null);
        }));
        await fixture.Silos.KillAsync(0);

        var ok = responses.Where(r => r.StatusCode == HttpStatusCode.OK).Select(r => Guid.Parse(r.Id!)).ToArray();
        Assert.NotEmpty(ok);
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM license_uses WHERE id = ANY($1)", connection);
        cmd.Parameters.AddWithValue(ok);
        Assert.Equal((long)ok.Length, (long)(await cmd.ExecuteScalarAsync())!);
    }
}
