using System.Globalization;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using OrleansLicenses.Tests.Infrastructure;

namespace OrleansLicenses.Tests.Catalog;

[Collection(ApiCollection.Name)]
public sealed class CatalogAndUnitsTests(ApiFixture fixture)
{
    [Fact]
    public async Task Admin_DefinesTypeAndUnits_AsInTheDesign_AndReadsThemBack()
    {
        using var admin = await fixture.AsAdminAsync();
        await Demo.SeedAsync(admin);

        var type = await (await admin.GetAsync($"/api/catalog/types/{Demo.FoodType}")).ReadJson();
        Assert.Equal("食品经营许可证", type.GetProperty("definition").GetProperty("name").GetString());
        var unit = await (await admin.GetAsync($"/api/units/{Demo.HarbinMarket}")).ReadJson();
        Assert.Equal("230100", unit.GetProperty("definition").GetProperty("regionCode").GetString());
        Assert.Single(unit.GetProperty("certificates").EnumerateArray(), c => c.GetProperty("current").GetBoolean());

        using var list = await admin.GetAsync("/api/catalog/types?page=1&pageSize=500");
        var page = await list.ReadJson();
        Assert.Equal(100, page.GetProperty("pageSize").GetInt32()); // clamped
        Assert.Contains(page.GetProperty("items").EnumerateArray(), t => t.GetProperty("typeCode").GetString() == Demo.FoodType);
    }

    [Theory]
    [InlineData("/api/units/91230102MA1B2C3D8K", "unitCode")]
    [InlineData("/api/units/nonsense/keys/rotate", "unitCode")]
    [InlineData("/api/catalog/types/11230000000000019J00/files/template", "typeCode")]
    [InlineData("/api/catalog/types/11230000000000019J001/files/logo", "kind")]
    [InlineData("/api/public/keys?unitCode=1123", "unitCode")]
    [InlineData("/api/admin/grains/unit/11230100000000027K", "key")]
    [InlineData("/api/admin/grains/type/11230000000000019J0X1", "key")]
    public async Task AMalformedCodeInThePath_Is400NamingIt_NotA404(string path, string field)
    {
        using var admin = await fixture.AsAdminAsync();
        using var response = path.EndsWith("/rotate", StringComparison.Ordinal) ? await admin.PostAsync(path, null) : await admin.GetAsync(path);
        await ProblemAssert.IsProblem(response, HttpStatusCode.BadRequest, field);
    }

    [Fact]
    public async Task AWellFormedCodeNobodyDefined_Is404()
    {
        using var admin = await fixture.AsAdminAsync();
        await ProblemAssert.IsProblem(await admin.GetAsync($"/api/units/{TestCodes.CreditCode('1', '1', "230100", "87654321")}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ABlankTypeCodeInThePath_Is400NamingIt_NotAServerError()
    {
        using var admin = await fixture.AsAdminAsync();
        await ProblemAssert.IsProblem(await admin.PutAsJsonAsync("/api/catalog/types/%20", Demo.FoodTypeBody()), HttpStatusCode.BadRequest, "typeCode");
    }

    [Fact]
    public async Task AnIdNumberField_CannotBeAPublicField()
    {
        using var admin = await fixture.AsAdminAsync();
        const string code = "11230000000000019J004";
        using var response = await admin.PutAsJsonAsync($"/api/catalog/types/{code}", new
        {
            name = "从业人员健康证明", definingAuthorityCode = Demo.ProvinceMarket, holderCategory = "person",
            fields = new object[]
            {
                new { key = "name", name = "姓名", type = "string", required = true },
                new { key = "idNumber", name = "身份证号", type = "idNumber", required = true },
            },
            validity = new { years = 1 }, publicDisclosure = true, publicFields = new[] { "name", "idNumber" },
            sensitivity = "personal", multipleInstances = false,
        });
        await ProblemAssert.IsProblem(response, HttpStatusCode.BadRequest, "publicFields[1]");
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/catalog/types/{code}")).StatusCode);
    }

    [Fact]
    public async Task ChangingAType_MakesANewCatalogVersion_AndIdenticalPutDoesNot()
    {
        using var admin = await fixture.AsAdminAsync();
        const string code = "11230000000000019J002";
        var first = await (await admin.PutAsJsonAsync($"/api/catalog/types/{code}", Demo.FoodTypeBody("食品生产许可证"))).ReadJson();
        var same = await (await admin.PutAsJsonAsync($"/api/catalog/types/{code}", Demo.FoodTypeBody("食品生产许可证"))).ReadJson();
        var changed = await (await admin.PutAsJsonAsync($"/api/catalog/types/{code}", Demo.FoodTypeBody("食品生产许可证（新版）"))).ReadJson();
        Assert.Equal(first.GetProperty("catalogVersion").GetInt32(), same.GetProperty("catalogVersion").GetInt32());
        Assert.Equal(first.GetProperty("catalogVersion").GetInt32() + 1, changed.GetProperty("catalogVersion").GetInt32());

        var old = await (await admin.GetAsync($"/api/catalog/types/{code}?version={first.GetProperty("catalogVersion").GetInt32()}")).ReadJson();
        Assert.Equal("食品生产许可证", old.GetProperty("definition").GetProperty("name").GetString());
    }

    [Theory]
    [InlineData("11230000000000019K001", "check character")]   // wrong credit-code check character
    [InlineData("11230000000000019J01", "21")]                 // 20 characters
    public async Task InvalidTypeCode_Is400NamingTheFieldAndRule(string code, string rule)
    {
        using var admin = await fixture.AsAdminAsync();
        using var response = await admin.PutAsJsonAsync($"/api/catalog/types/{code}", Demo.FoodTypeBody());
        var problem = await ProblemAssert.IsProblem(response, HttpStatusCode.BadRequest, "typeCode");
        Assert.Contains(rule, problem.GetProperty("errors").GetProperty("typeCode")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidSchema_NamesEachBadField_AndWritesNothing()
    {
        using var admin = await fixture.AsAdminAsync();
        const string code = "11230000000000019J003";
        var body = new
        {
            name = "",
            definingAuthorityCode = Demo.ProvinceMarket,
            holderCategory = "alien",
            fields = new object[]
            {
                new { key = "1bad", name = "x", type = "string" },
                new { key = "kind", name = "类别", type = "enum" },
                new { key = "kind", name = "类别", type = "blob" },
            },
            validity = new { years = 5, longTerm = true },
            publicDisclosure = false,
            publicFields = new[] { "nope" },
            sensitivity = "normal",
        };
        using var response = await admin.PutAsJsonAsync($"/api/catalog/types/{code}", body);
        var problem = await ProblemAssert.IsProblem(response, HttpStatusCode.BadRequest);
        Assert.Equal("catalog.invalid_definition", problem.GetProperty("code").GetString()); // the grain's rules, all at once
        var errors = problem.GetProperty("errors");
        foreach (var field in new[] { "name", "holderCategory", "fields[0].key", "fields[1].values", "fields[2].key", "fields[2].type", "validity", "publicFields" })
        {
            Assert.True(errors.TryGetProperty(field, out _), $"{field} not named in {errors}");
        }

        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/catalog/types/{code}")).StatusCode);
        Assert.Equal(0L, await Scalar<long>("SELECT count(*) FROM catalog_types WHERE type_code = $1", code));
    }

    [Fact]
    public async Task UnitRegion_OutsideItsParent_Is400_AndUnknownRegionIs400()
    {
        using var admin = await fixture.AsAdminAsync();
        await Demo.SeedAsync(admin);
        // A county of Qiqihar (230202) under the Harbin bureau.
        using var outside = await admin.PutAsJsonAsync("/api/units/11230202000000027L",
            Demo.Unit("龙沙区市场监督管理局", "230202", "county", Demo.HarbinMarket));
        var problem = await ProblemAssert.IsProblem(outside, HttpStatusCode.BadRequest, "regionCode");
        Assert.Equal("unit.region_outside_parent", problem.GetProperty("code").GetString());

        using var unknown = await admin.PutAsJsonAsync($"/api/units/{Demo.QiqiharMarket}", Demo.Unit("x", "239900", "city", Demo.ProvinceMarket));
        await ProblemAssert.IsProblem(unknown, HttpStatusCode.BadRequest, "regionCode");

        using var badCode = await admin.PutAsJsonAsync("/api/units/11230200000000027Q", Demo.Unit("x", "230200", "city", Demo.ProvinceMarket));
        var codeProblem = await ProblemAssert.IsProblem(badCode, HttpStatusCode.BadRequest, "unitCode");
        Assert.Contains("should be P", codeProblem.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnitDefinition_NamesEveryBrokenRuleAtOnce_AndWritesNothing()
    {
        using var admin = await fixture.AsAdminAsync();
        await Demo.SeedAsync(admin);
        const string unit = "11230202000000027L";
        // No name, a county of Qiqihar (230202) under the Harbin bureau, and a licence type the catalogue lacks.
        using var response = await admin.PutAsJsonAsync($"/api/units/{unit}",
            Demo.Unit("", "230202", "county", Demo.HarbinMarket, ["11230000000000019J777"]));
        var problem = await ProblemAssert.IsProblem(response, HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        foreach (var field in new[] { "name", "issuableTypes[0]" })
        {
            Assert.True(errors.TryGetProperty(field, out _), $"{field} not named in {errors}");
        }

        // With the name given, the parent's rules and the catalogue's are named together.
        using var second = await admin.PutAsJsonAsync($"/api/units/{unit}",
            Demo.Unit("龙沙区市场监督管理局", "230202", "county", Demo.HarbinMarket, ["11230000000000019J777"]));
        var both = (await ProblemAssert.IsProblem(second, HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.True(both.TryGetProperty("regionCode", out _), both.ToString());
        Assert.True(both.TryGetProperty("issuableTypes[0]", out _), both.ToString());
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/units/{unit}")).StatusCode);
    }

    [Fact]
    public async Task UnitCertificates_ChainToTheRoot_VerifiedByOpenSsl_AndSurviveRotation()
    {
        using var admin = await fixture.AsAdminAsync();
        await Demo.SeedAsync(admin);
        using var rotated = await admin.PostAsync($"/api/units/{Demo.HarbinMarket}/keys/rotate", null);
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);

        using var anonymous = fixture.Anonymous();
        var keys = await (await anonymous.GetAsync($"/api/public/keys?unitCode={Demo.HarbinMarket}")).ReadJson();
        var root = Convert.FromBase64String(keys.GetProperty("root")[0].GetProperty("certificate").GetString()!);
        var units = keys.GetProperty("units").EnumerateArray().ToList();
        Assert.True(units.Count >= 2, "the old certificate stays published after rotation");
        Assert.Single(units, u => u.GetProperty("current").GetBoolean());

        var dir = Directory.CreateTempSubdirectory("ol-keys-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "root.pem"), Pem(root));
            foreach (var (unit, i) in units.Select((u, i) => (u, i)))
            {
                var leaf = Path.Combine(dir.FullName, $"leaf{i}.pem");
                await File.WriteAllTextAsync(leaf, Pem(Convert.FromBase64String(unit.GetProperty("certificate").GetString()!)));
                // At the platform's time (the test calendar may be moved ahead of the real clock, OL_TEST_TODAY).
                var (code, output) = await OpenSsl("verify", "-attime", fixture.Clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
                    "-vfyopt", "distid:1234567812345678", "-x509_strict", "-CAfile", Path.Combine(dir.FullName, "root.pem"), leaf);
                Assert.True(code == 0, output);
                Assert.Contains("OK", output, StringComparison.Ordinal);
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task CatalogFile_WithWrongContent_Is400_AndPngSealIsStored()
    {
        using var admin = await fixture.AsAdminAsync();
        await Demo.SeedAsync(admin);
        using var fake = new ByteArrayContent("not a png"u8.ToArray());
        fake.Headers.ContentType = new("image/png");
        await ProblemAssert.IsProblem(await admin.PutAsync($"/api/catalog/types/{Demo.FoodType}/files/seal", fake), HttpStatusCode.BadRequest, "file");

        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3];
        using var real = new ByteArrayContent(png);
        real.Headers.ContentType = new("image/png");
        using var stored = await admin.PutAsync($"/api/catalog/types/{Demo.FoodType}/files/seal", real);
        Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
        Assert.Equal(png, await admin.GetByteArrayAsync($"/api/catalog/types/{Demo.FoodType}/files/seal"));
    }

    [Fact]
    public async Task SvgTemplate_WithScript_IsRefused_AndAStoredOneIsServedAsASandboxedDownload()
    {
        using var admin = await fixture.AsAdminAsync();
        await Demo.SeedAsync(admin);
        using var scripted = new StringContent("""<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>""");
        scripted.Headers.ContentType = new("image/svg+xml");
        await ProblemAssert.IsProblem(await admin.PutAsync($"/api/catalog/types/{Demo.FoodType}/files/template", scripted), HttpStatusCode.BadRequest, "file");

        using var svg = new StringContent("""<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>""");
        svg.Headers.ContentType = new("image/svg+xml");
        (await admin.PutAsync($"/api/catalog/types/{Demo.FoodType}/files/template", svg)).EnsureSuccessStatusCode();
        using var served = await admin.GetAsync($"/api/catalog/types/{Demo.FoodType}/files/template");
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal("image/svg+xml", served.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", served.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("nosniff", Assert.Single(served.Headers.GetValues("X-Content-Type-Options")));
        Assert.StartsWith("sandbox", Assert.Single(served.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NonAdmin_CannotDefine_ButCanRead()
    {
        using var admin = await fixture.AsAdminAsync();
        await Demo.SeedAsync(admin);
        var (id, secret) = await fixture.RegisterClientAsync("issuer", Demo.HarbinMarket);
        using var issuer = await fixture.AsClientAsync(id, secret);
        Assert.Equal(HttpStatusCode.Forbidden, (await issuer.PutAsJsonAsync($"/api/catalog/types/{Demo.FoodType}", Demo.FoodTypeBody())).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await issuer.GetAsync($"/api/catalog/types/{Demo.FoodType}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await issuer.GetAsync($"/api/units/{Demo.HarbinMarket}")).StatusCode);
    }

    private async Task<T> Scalar<T>(string sql, string arg) => (T)(await fixture.ScalarAsync(sql, arg))!;

    private static string Pem(byte[] der) =>
        $"-----BEGIN CERTIFICATE-----\n{Convert.ToBase64String(der, Base64FormattingOptions.InsertLineBreaks)}\n-----END CERTIFICATE-----\n";

    internal static async Task<(int Code, string Output)> OpenSsl(params string[] args)
    {
        var psi = new ProcessStartInfo("openssl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException("openssl could not be started; install it (apt-get install openssl).");
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, output);
    }
}
