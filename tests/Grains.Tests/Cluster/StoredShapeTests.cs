using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;
using Orleans.Storage;
using OrleansLicenses.Catalog;
using OrleansLicenses.Identifiers;
using OrleansLicenses.Licenses;
using OrleansLicenses.Tests.Licenses;
using OrleansLicenses.Units;

namespace OrleansLicenses.Tests.Cluster;

/// <summary>
/// Stored state owns its shape: rows written by the shape before the state classes had records of their own (when
/// they embedded the wire records HolderRef, HistoryEntry and LicenseTypeView) still load. The Previous* types
/// below are frozen copies of that shape, kept here on purpose: they must not follow the contracts.
/// </summary>
[Collection(PostgresClusterCollection.Name)]
public sealed class StoredShapeTests(PostgresClusterFixture fixture)
{
    [Fact]
    public async Task ALicenceStoredByThePreviousShape_LoadsWithItsHolderFieldsAndHistory()
    {
        await LicenseWorld.SeedAsync(fixture.Client);
        var number = LicenseNumber.Parse(LicenseWorld.Number(LicenseWorld.NewSerial("S")));
        var identifier = LicenseIdentifier.Create(number).ToString();
        var holder = LicenseWorld.NewHolder();
        var today = TestCalendar.Today;
        var at = TestCalendar.Clock.GetUtcNow();
        var previous = new PreviousLicenseState(number.TypeCode, number.IssuerCode, "230100", number.Serial,
            new PreviousLifecycle(1, today, today.AddYears(5).AddDays(-1), null, false, false, 1),
            [new PreviousVersion("001", identifier, new PreviousHolder(holder.IdType, holder.IdNumber, holder.Name),
                LicenseWorld.Fields("旧形状餐饮有限公司"), today, today.AddYears(5).AddDays(-1), 1, at, "{}", [], [], null)],
            [new PreviousHistory(at, "client:previous", "issue", null, "001", identifier, "valid")],
            at, 1);
        // As LicenseStore wrote it: System.Text.Json with default (PascalCase) options.
        await Execute("INSERT INTO license_state (license_number, revision, state, updated_at) VALUES ($1, 1, $2, now())",
            number.ToString(), new NpgsqlParameter { Value = JsonSerializer.Serialize(previous), NpgsqlDbType = NpgsqlDbType.Json });

        var grain = fixture.Client.GetGrain<ILicenseGrain>(number.ToString());
        var view = await grain.GetAsync(null, LicenseWorld.Admin);
        Assert.NotNull(view);
        Assert.Equal((holder.IdType, holder.IdNumber, holder.Name), (view.Holder.IdType, view.Holder.IdNumber, view.Holder.Name));
        Assert.Equal("旧形状餐饮有限公司", view.Fields["operatorName"]);
        Assert.Equal(("valid", identifier), (view.Status, view.Id));
        var history = Assert.Single((await grain.GetHistoryAsync(LicenseWorld.Admin))!);
        Assert.Equal(("client:previous", "issue", "001", "valid"), (history.Actor, history.Action, history.Version, history.Status));
    }

    [Fact]
    public async Task ALicenceTypeStoredByThePreviousShape_LoadsWithEveryCatalogueVersion()
    {
        var code = $"{LicenseWorld.HarbinMarket}{Random.Shared.Next(100, 999)}"; // no test defines types under this authority
        var grain = fixture.Client.GetGrain<ILicenseTypeGrain>(code);
        var grainId = ((GrainReference)(object)grain).GrainId;
        var at = TestCalendar.Clock.GetUtcNow();
        var definition = new PreviousDefinition("旧形状许可证", LicenseWorld.ProvinceMarket, "any",
            [new PreviousField("operatorName", "经营者名称", "string", true, 100, null, null), new PreviousField("kind", "类别", "enum", false, null, null, ["甲", "乙"])],
            new PreviousValidity(5, false), true, ["operatorName"], "normal", false);
        var previous = new PreviousLicenseTypeState(
        [
            new(code, 1, definition, [], at, "admin"),
            new(code, 2, definition with { Name = "旧形状许可证（第二版）" }, [new("seal", "image/png", 3, "abc", 2)], at, "admin"),
        ]);
        // As the silo's grain storage serializer wrote it.
        var services = fixture.Cluster.GetSiloServiceProvider(fixture.Cluster.Silos[0].SiloAddress);
        var json = services.GetRequiredService<IGrainStorageSerializer>().Serialize(previous).ToString();
        await Execute("INSERT INTO grain_states (state_name, grain_key, etag, state) VALUES ($1, $2, 1, $3)",
            $"{grainId.Type}/licensetype", grainId.Key.ToString()!, new NpgsqlParameter { Value = json, NpgsqlDbType = NpgsqlDbType.Jsonb });

        var current = await grain.GetAsync(null);
        Assert.NotNull(current);
        Assert.Equal((2, "旧形状许可证（第二版）"), (current.CatalogVersion, current.Definition.Name));
        Assert.Equal(["甲", "乙"], current.Definition.Fields[1].Values!);
        Assert.Equal(("seal", 2), (current.Files[0].Kind, current.Files[0].CatalogVersion));
        Assert.Equal("旧形状许可证", (await grain.GetAsync(1))!.Definition.Name);
    }

    [Fact]
    public async Task AUnitStoredByThePreviousShape_LoadsWithItsDefinition()
    {
        const string code = "11230103000000035H"; // a district bureau only this test uses
        var grain = fixture.Client.GetGrain<IUnitGrain>(code);
        var grainId = ((GrainReference)(object)grain).GrainId;
        var previous = new PreviousUnitState(
            new PreviousUnitDefinition("南岗区市场监督管理局", "230103", "county", LicenseWorld.HarbinMarket, [LicenseWorld.FoodType],
                [new PreviousMatterScope("M-001", "食品经营许可核查", [LicenseWorld.FoodType])], "active"),
            3, TestCalendar.Clock.GetUtcNow(), "admin", []);
        var services = fixture.Cluster.GetSiloServiceProvider(fixture.Cluster.Silos[0].SiloAddress);
        var json = services.GetRequiredService<IGrainStorageSerializer>().Serialize(previous).ToString();
        await Execute("INSERT INTO grain_states (state_name, grain_key, etag, state) VALUES ($1, $2, 1, $3)",
            $"{grainId.Type}/unit", grainId.Key.ToString()!, new NpgsqlParameter { Value = json, NpgsqlDbType = NpgsqlDbType.Jsonb });

        var view = await grain.GetAsync();
        Assert.NotNull(view);
        Assert.Equal(("南岗区市场监督管理局", "230103", 3), (view.Definition.Name, view.Definition.RegionCode, view.Revision));
        Assert.Equal([LicenseWorld.FoodType], view.Definition.IssuableTypes);
        Assert.Equal(("M-001", LicenseWorld.FoodType), (view.Definition.Scope[0].MatterCode, view.Definition.Scope[0].LicenseTypes[0]));
    }

    private async Task Execute(string sql, params object[] values)
    {
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        foreach (var value in values)
        {
            cmd.Parameters.Add(value as NpgsqlParameter ?? new NpgsqlParameter { Value = value });
        }

        await cmd.ExecuteNonQueryAsync();
    }

    private sealed record PreviousHolder(string IdType, string IdNumber, string Name);

    private sealed record PreviousHistory(DateTimeOffset At, string Actor, string Action, string? Reason, string Version, string Identifier, string Status);

    private sealed record PreviousLifecycle(int Status, DateOnly ValidFrom, DateOnly? ValidUntil, DateOnly? SuspendedUntil, bool Mortgaged, bool Pledged, int VersionNumber);

    private sealed record PreviousVersion(string Version, string Identifier, PreviousHolder Holder, Dictionary<string, string> Fields, DateOnly ValidFrom,
        DateOnly? ValidUntil, int CatalogVersion, DateTimeOffset SignedAt, string Canonical, byte[] Signature, byte[] Certificate, string? SupersededBy);

    private sealed record PreviousLicenseState(string TypeCode, string IssuerCode, string IssuerRegion, string Serial, PreviousLifecycle Lifecycle,
        List<PreviousVersion> Versions, List<PreviousHistory> History, DateTimeOffset IssuedAt, int Revision);

    private sealed record PreviousField(string Key, string Name, string Type, bool Required, int? MaxLength, string? Pattern, List<string>? Values);

    private sealed record PreviousValidity(int? Years, bool LongTerm);

    private sealed record PreviousDefinition(string Name, string DefiningAuthorityCode, string HolderCategory, List<PreviousField> Fields,
        PreviousValidity Validity, bool PublicDisclosure, List<string> PublicFields, string Sensitivity, bool MultipleInstances);

    private sealed record PreviousFileInfo(string Kind, string ContentType, int Size, string Sha256, int CatalogVersion);

    private sealed record PreviousTypeVersion(string TypeCode, int CatalogVersion, PreviousDefinition Definition, List<PreviousFileInfo> Files,
        DateTimeOffset UpdatedAt, string UpdatedBy);

    private sealed record PreviousLicenseTypeState(List<PreviousTypeVersion> Versions);

    private sealed record PreviousMatterScope(string MatterCode, string MatterName, List<string> LicenseTypes);

    private sealed record PreviousUnitDefinition(string Name, string RegionCode, string Level, string? ParentUnitCode, List<string> IssuableTypes,
        List<PreviousMatterScope> Scope, string Status);

    private sealed record PreviousUnitState(PreviousUnitDefinition Definition, int Revision, DateTimeOffset UpdatedAt, string UpdatedBy, List<object> Keys);
}
