using System.Net;
using System.Net.Http.Json;
using OrleansLicenses.Tests.Infrastructure;
using OrleansLicenses.Tests.Licenses;

namespace OrleansLicenses.Tests.Catalog;

/// <summary>The whole cluster and the API host stop; new ones start on the same database and find everything.</summary>
public sealed class RestartTests
{
    [Fact]
    public async Task WholeClusterRestart_KeepsCatalogueUnitsKeysAndLicences()
    {
        var first = new ApiFixture();
        await first.InitializeAsync();
        string typeJson, unitJson, licenseJson, keysJson, id;
        try
        {
            using var admin = await first.AsAdminAsync();
            await Demo.SeedAsync(admin);
            var (issuerId, issuerSecret) = await first.RegisterClientAsync("issuer", Demo.HarbinMarket);
            using var issuer = await first.AsClientAsync(issuerId, issuerSecret);
            var license = await (await issuer.PostAsJsonAsync("/api/licenses", LicenseApiTests.IssueBody(LicenseApiTests.NewCompany()))).ReadJson();
            id = license.GetProperty("id").GetString()!;
            await issuer.PostAsJsonAsync($"/api/licenses/{id}/events", new { type = "suspend", reason = "停业整顿" });
            typeJson = await admin.GetStringAsync($"/api/catalog/types/{Demo.FoodType}");
            unitJson = await admin.GetStringAsync($"/api/units/{Demo.HarbinMarket}");
            licenseJson = await admin.GetStringAsync($"/api/licenses/{id}");
            keysJson = await admin.GetStringAsync("/api/public/keys");
        }
        finally
        {
            await first.DisposeAsync();
        }

        // Same database, same key-encryption key, new silos (new cluster id) and a new API host.
        var second = new ApiFixture.Restarted(first);
        await second.InitializeAsync();
        try
        {
            using var admin = await second.AsAdminAsync();
            Assert.Equal(typeJson, await admin.GetStringAsync($"/api/catalog/types/{Demo.FoodType}"));
            Assert.Equal(unitJson, await admin.GetStringAsync($"/api/units/{Demo.HarbinMarket}"));
            Assert.Equal(licenseJson, await admin.GetStringAsync($"/api/licenses/{id}"));
            Assert.Equal(keysJson, await admin.GetStringAsync("/api/public/keys"));

            // The unit's key still signs after the restart (decrypted with the same key-encryption key).
            var (issuerId, issuerSecret) = await second.RegisterClientAsync("issuer", Demo.HarbinMarket);
            using var issuer = await second.AsClientAsync(issuerId, issuerSecret);
            Assert.Equal(HttpStatusCode.Created, (await issuer.PostAsJsonAsync("/api/licenses", LicenseApiTests.IssueBody(LicenseApiTests.NewCompany()))).StatusCode);
        }
        finally
        {
            await second.DisposeAsync();
        }
    }
}
