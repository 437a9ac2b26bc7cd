using System.Globalization;
using Npgsql;
using OrleansLicenses.Access;
using OrleansLicenses.Catalog;
using OrleansLicenses.Identifiers;
using OrleansLicenses.Licenses;
using OrleansLicenses.Units;

namespace OrleansLicenses.Tests.Licenses;

/// <summary>
/// The catalogue, units and callers the licence grain tests issue under (synthetic codes with valid check
/// characters, as in the API tests' demo data), and helpers to build commands and look at PostgreSQL.
/// </summary>
internal static class LicenseWorld
{
    public const string ProvinceMarket = "11230000000000019J";
    public const string HarbinMarket = "11230100000000027J";

    /// <summary>食品经营许可证: 5 years, one live licence per holder.</summary>
    public const string FoodType = "11230000000000019J001";

    /// <summary>A long-term (长期) type that allows several licences per holder.</summary>
    public const string LongTermType = "11230000000000019J002";

    public static readonly Caller Admin = new("admin", Roles.Admin, null, null, "t");

    public static readonly Caller Issuer = new("c1", Roles.Issuer, HarbinMarket, null, "t");

    private static int holders;

    /// <summary>Where this process's holder codes start; the codes then count up from it, so no two collide
    /// (random codes did, about once in a hundred runs of the 1 000-history model test).</summary>
    private static readonly int HolderBase = Random.Shared.Next(0, 100_000_000);

    /// <summary>Defines both types, the province unit and the Harbin unit that issues both.</summary>
    public static async Task SeedAsync(IGrainFactory grains)
    {
        await grains.GetGrain<ILicenseTypeGrain>(FoodType).DefineAsync(Type("食品经营许可证", new ValidityRule(5, false), multipleInstances: false), Admin);
        await grains.GetGrain<ILicenseTypeGrain>(LongTermType).DefineAsync(Type("食品生产备案凭证", new ValidityRule(null, true), multipleInstances: true), Admin);
        await grains.GetGrain<IUnitGrain>(ProvinceMarket).DefineAsync(
            new UnitDefinition("黑龙江省市场监督管理局", "230000", "province", null, [FoodType, LongTermType], [], "active"), Admin);
        await grains.GetGrain<IUnitGrain>(HarbinMarket).DefineAsync(
            new UnitDefinition("哈尔滨市市场监督管理局", "230100", "city", ProvinceMarket, [FoodType, LongTermType], [], "active"), Admin);
    }

    /// <summary>A new organization holder with a valid credit code, distinct within the test run.</summary>
    public static HolderRef NewHolder()
    {
        var body = (int)((HolderBase + (long)Interlocked.Increment(ref holders)) % 100_000_000);
        var code = TestCodes.CreditCode('9', '1', "230102", body.ToString("D8", CultureInfo.InvariantCulture));
        return new HolderRef("001", code, "哈尔滨示例餐饮有限公司");
    }

    /// <summary>A serial nobody else uses.</summary>
    public static string NewSerial(string prefix = "T") => prefix + Guid.NewGuid().ToString("N")[..16].ToUpperInvariant();

    /// <summary>The licence number (grain key) of a serial issued by the Harbin unit.</summary>
    public static string Number(string serial, string typeCode = FoodType) => LicenseNumber.Create(typeCode, HarbinMarket, serial).ToString();

    public static Dictionary<string, string> Fields(string operatorName = "哈尔滨示例餐饮有限公司", string address = "哈尔滨市南岗区示例路1号") => new(StringComparer.Ordinal)
    {
        ["operatorName"] = operatorName,
        ["address"] = address,
        ["category"] = "餐饮服务经营者",
    };

    public static IssueLicense Issue(HolderRef holder, DateOnly validFrom, DateOnly? validUntil = null, string typeCode = FoodType, string? operatorName = null) =>
        new(typeCode, holder, Fields(operatorName ?? holder.Name), validFrom, validUntil);

    /// <summary>Rows of grain state stored for one licence grain (table <c>license_state</c>, see LicenseStore).</summary>
    public static async Task<List<(int Version, string Json)>> StoredLicenseRows(string connectionString, IGrainFactory grains, string number)
    {
        _ = grains;
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT revision, state::text FROM license_state WHERE license_number = $1", connection);
        cmd.Parameters.AddWithValue(number);
        var rows = new List<(int, string)>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetInt32(0), reader.GetString(1)));
        }

        return rows;
    }

    /// <summary>Change-feed entries of one licence, in order: (per-licence sequence, operation, identifier).</summary>
    public static async Task<List<(int Seq, string Operation, string Identifier)>> FeedRows(string connectionString, string number)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT license_seq, operation, identifier FROM license_changes WHERE license_number = $1 ORDER BY global_seq", connection);
        cmd.Parameters.AddWithValue(number);
        var rows = new List<(int, string, string)>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetInt32(0), reader.GetString(1), reader.GetString(2)));
        }

        return rows;
    }

    /// <summary>Rows of the <c>licenses</c> read model for one licence number: identifier, holder id number, status.</summary>
    public static async Task<List<(string Identifier, string HolderIdNumber, string Status, int Revision)>> ReadModelRows(string connectionString, string number)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT identifier, holder_id_number, status, revision FROM licenses WHERE license_number = $1", connection);
        cmd.Parameters.AddWithValue(number);
        var rows = new List<(string, string, string, int)>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3)));
        }

        return rows;
    }

    private static LicenseTypeDefinition Type(string name, ValidityRule validity, bool multipleInstances) => new(
        name,
        ProvinceMarket,
        "organization",
        [
            new FieldDefinition("operatorName", "经营者名称", "string", true, 100, null, null),
            new FieldDefinition("address", "经营场所", "string", true, null, null, null),
            new FieldDefinition("category", "主体业态", "enum", false, null, null, ["食品销售经营者", "餐饮服务经营者"]),
        ],
        validity,
        true,
        ["operatorName", "category"],
        "normal",
        multipleInstances);
}
