using System.Net.Http.Json;
using OrleansLicenses.Tests.Infrastructure;
using OrleansLicenses.Tests.Licenses;

namespace OrleansLicenses.Tests.Verification;

/// <summary>
/// One food-business licence of a new company, its issuer, its holder, a hall whose scope covers the food matter
/// (Harbin) and one whose scope covers it only for another matter (Qiqihar).
/// </summary>
internal sealed record VerificationWorld(HttpClient Issuer, HttpClient InScopeHall, HttpClient OutOfScopeHall, HttpClient Holder, string HolderCode, string LicenseId)
    : IDisposable
{
    public const string QiqiharCentre = "11230200000000035J";
    public const string OtherMatter = "230200-FOOD-001";

    public static async Task<VerificationWorld> SetUpAsync(ApiFixture fixture)
    {
        using var admin = await fixture.AsAdminAsync();
        await Demo.SeedAsync(admin);
        await admin.PutAsJsonAsync($"/api/units/{Demo.ProvinceData}", Demo.Unit("电子证照库运营", "230000", "province", null));
        (await admin.PutAsJsonAsync($"/api/units/{QiqiharCentre}", Demo.Unit("齐齐哈尔市政务服务中心", "230200", "city", Demo.ProvinceData, null,
            [new { matterCode = OtherMatter, matterName = "食品经营许可变更", licenseTypes = new[] { Demo.FoodType } }]))).EnsureSuccessStatusCode();
        var (issuerId, issuerSecret) = await fixture.RegisterClientAsync("issuer", Demo.HarbinMarket);
        var (inId, inSecret) = await fixture.RegisterClientAsync("verifier", Demo.HarbinCentre);
        var (outId, outSecret) = await fixture.RegisterClientAsync("verifier", QiqiharCentre);
        var issuer = await fixture.AsClientAsync(issuerId, issuerSecret);
        var holderCode = LicenseApiTests.NewCompany();
        var license = await (await issuer.PostAsJsonAsync("/api/licenses", LicenseApiTests.IssueBody(holderCode))).ReadJson();
        return new VerificationWorld(issuer, await fixture.AsClientAsync(inId, inSecret), await fixture.AsClientAsync(outId, outSecret),
            await fixture.AsHolderAsync("001", holderCode, "哈尔滨示例餐饮有限公司"), holderCode, license.GetProperty("id").GetString()!);
    }

    public void Dispose()
    {
        Issuer.Dispose();
        InScopeHall.Dispose();
        OutOfScopeHall.Dispose();
        Holder.Dispose();
    }
}
