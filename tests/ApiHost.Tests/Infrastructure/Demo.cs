using System.Net.Http.Json;

namespace OrleansLicenses.Tests.Infrastructure;

/// <summary>Synthetic codes with valid check characters, and bodies shaped like DESIGN.md §6.1.</summary>
public static class Demo
{
    public const string ProvinceMarket = "11230000000000019J";
    public const string HarbinMarket = "11230100000000027J";
    public const string HarbinCentre = "11230100000000035D";
    public const string ProvinceData = "1123000000000006XM";
    public const string QiqiharMarket = "11230200000000027P";
    public const string FoodType = "11230000000000019J001";
    public const string FoodMatter = "230100-FOOD-001";

    public static object FoodTypeBody(string name = "食品经营许可证") => new
    {
        name,
        definingAuthorityCode = ProvinceMarket,
        holderCategory = "organization",
        fields = new object[]
        {
            new { key = "operatorName", name = "经营者名称", type = "string", required = true, maxLength = 100 },
            new { key = "address", name = "经营场所", type = "string", required = true },
            new { key = "category", name = "主体业态", type = "enum", values = new[] { "食品销售经营者", "餐饮服务经营者" } },
        },
        validity = new { years = 5 },
        publicDisclosure = true,
        publicFields = new[] { "operatorName", "category" },
        sensitivity = "normal",
        multipleInstances = false,
    };

    public static object Unit(string name, string region, string level, string? parent, string[]? issuable = null, object[]? scope = null) =>
        new { name, regionCode = region, level, parentUnitCode = parent, issuableTypes = issuable ?? [], scope = scope ?? [] };

    public static object FoodScope() => new { matterCode = FoodMatter, matterName = "食品经营许可变更", licenseTypes = new[] { FoodType } };

    /// <summary>Defines the food type, the province and Harbin market units and the Harbin service centre.</summary>
    public static async Task SeedAsync(HttpClient admin)
    {
        await Put(admin, $"/api/catalog/types/{FoodType}", FoodTypeBody());
        await Put(admin, $"/api/units/{ProvinceMarket}", Unit("黑龙江省市场监督管理局", "230000", "province", null, [FoodType]));
        await Put(admin, $"/api/units/{HarbinMarket}", Unit("哈尔滨市市场监督管理局", "230100", "city", ProvinceMarket, [FoodType], [FoodScope()]));
        await Put(admin, $"/api/units/{HarbinCentre}", Unit("哈尔滨市政务服务中心", "230100", "city", ProvinceMarket, null, [FoodScope()]));
    }

    private static async Task Put(HttpClient http, string path, object body)
    {
        using var response = await http.PutAsJsonAsync(path, body);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"PUT {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }
}
