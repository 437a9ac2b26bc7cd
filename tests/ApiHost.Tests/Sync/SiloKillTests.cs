using System.Net;
using System.Net.Http.Json;
using OrleansLicenses.Sync;
using OrleansLicenses.Tests.Infrastructure;
using OrleansLicenses.Tests.Licenses;

namespace OrleansLicenses.Tests.Sync;

/// <summary>A silo killed on either side while the city issues and pushes: nothing is lost, nothing is applied twice.</summary>
public sealed class SiloKillTests
{
    [Fact]
    public async Task PushUnderLoad_WhenASiloDiesAtTheCityAndThenAtTheProvince_EveryChangeArrivesOnce()
    {
        var provincePort = Ports.Free();
        var secretFile = Path.Combine(Path.GetTempPath(), $"ol-upstream-{Guid.NewGuid():N}");
        var city = await TwoLibrariesTests.StartAsync(new LibraryFixture(TwoLibrariesTests.CitySettings(provincePort, secretFile)));
        LibraryFixture? province = null;
        try
        {
            using var cityAdmin = await city.AsAdminAsync();
            await Demo.SeedAsync(cityAdmin);
            var (issuerId, issuerSecret) = await city.RegisterClientAsync("issuer", Demo.HarbinMarket);
            using var issuer = await city.AsClientAsync(issuerId, issuerSecret);
            var cityRoot = (byte[])(await city.ScalarAsync("SELECT certificate FROM published_certificates WHERE kind = 'root' AND is_current"))!;
            province = await TwoLibrariesTests.StartAsync(new LibraryFixture(
                new Dictionary<string, string?> { [$"{TrustedRoots.Section}:0"] = Convert.ToBase64String(cityRoot) }, provincePort));
            using (var provinceAdmin = await province.AsAdminAsync())
            {
                var registered = await (await provinceAdmin.PostAsJsonAsync("/api/clients",
                    new { name = "哈尔滨市电子证照库", role = "sync", regionCode = TwoLibrariesTests.Harbin, clientId = TwoLibrariesTests.SyncClientId })).ReadJson();
                await File.WriteAllTextAsync(secretFile, registered.GetProperty("clientSecret").GetString());
            }

            var numbers = new List<string>();
            for (var i = 0; i < 36; i++)
            {
                if (i == 12)
                {
                    await city.Silos.KillAsync(0);
                }
                else if (i == 24)
                {
                    await province.Silos.KillAsync(0);
                }

                numbers.Add(await IssueAsync(issuer, $"K{Guid.NewGuid():N}"[..20].ToUpperInvariant()));
            }

            await TwoLibrariesTests.Eventually(async () =>
                (long)(await province.ScalarAsync("SELECT count(*) FROM license_changes"))! >= numbers.Count, "every licence at the province");
            foreach (var number in numbers)
            {
                Assert.Equal(1, await TwoLibrariesTests.CountChangesAsync(province, number));
            }

            Assert.Equal(numbers.Count, (long)(await province.ScalarAsync("SELECT count(*) FROM license_changes"))!);
        }
        finally
        {
            if (province is not null)
            {
                await province.DisposeAsync();
            }

            await city.DisposeAsync();
            File.Delete(secretFile);
        }
    }

    /// <summary>Issues with a fixed serial, retrying a transient failure (a silo just died): a retry gets the same licence.</summary>
    private static async Task<string> IssueAsync(HttpClient issuer, string serial)
    {
        var body = LicenseApiTests.IssueBody(LicenseApiTests.NewCompany(), serial);
        for (var attempt = 1; ; attempt++)
        {
            using var response = await issuer.PostAsJsonAsync("/api/licenses", body);
            if (response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK)
            {
                return (await response.ReadJson()).GetProperty("licenseNumber").GetString()!;
            }

            // Placement of the dead silo's activations moves within seconds; a loaded machine may take longer.
            Assert.True(attempt < 120 && (int)response.StatusCode >= 500,
                $"issuance answered {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()} (attempt {attempt})");
            await Task.Delay(250);
        }
    }
}
