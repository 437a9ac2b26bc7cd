using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansLicenses.Tests.Infrastructure;
using OrleansLicenses.Tests.Licenses;

namespace OrleansLicenses.Tests.Verification;

/// <summary>
/// The integrator's contract beyond a single verification: 免提交 (a hall lists the holder's licences relevant to the
/// matter, with the holder at the counter) and the signed document for a verifier the holder authorized.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class HolderLookupAndDocumentTests(ApiFixture fixture)
{
    private const string QiqiharCentre = "11230200000000035J";
    private const string OtherMatter = "230200-FOOD-001";
    private const string ProductionType = "11230000000000019J007"; // issuable by the test's own unit; in no hall's scope
    private static readonly string LookupIssuer = TestCodes.CreditCode('1', '1', "230100", "00000713");

    private sealed record World(HttpClient Issuer, HttpClient InScopeHall, HttpClient OutOfScopeHall, HttpClient Holder, string HolderCode,
        string FoodLicense, string ProductionLicense) : IDisposable
    {
        public void Dispose()
        {
            Issuer.Dispose();
            InScopeHall.Dispose();
            OutOfScopeHall.Dispose();
            Holder.Dispose();
        }
    }

    private async Task<World> SetUpAsync()
    {
        using var admin = await fixture.AsAdminAsync();
        await Demo.SeedAsync(admin);
        await Put(admin, $"/api/catalog/types/{ProductionType}", Demo.FoodTypeBody("食品生产许可证"));
        await Put(admin, $"/api/units/{LookupIssuer}", Demo.Unit("哈尔滨市食品审批局", "230100", "city", Demo.ProvinceMarket, [Demo.FoodType, ProductionType]));
        await Put(admin, $"/api/units/{Demo.ProvinceData}", Demo.Unit("电子证照库运营", "230000", "province", null));
        await Put(admin, $"/api/units/{QiqiharCentre}", Demo.Unit("齐齐哈尔市政务服务中心", "230200", "city", Demo.ProvinceData, null,
            [new { matterCode = OtherMatter, matterName = "食品经营许可变更", licenseTypes = new[] { Demo.FoodType } }]));
        var (issuerId, issuerSecret) = await fixture.RegisterClientAsync("issuer", LookupIssuer);
        var (inId, inSecret) = await fixture.RegisterClientAsync("verifier", Demo.HarbinCentre);
        var (outId, outSecret) = await fixture.RegisterClientAsync("verifier", QiqiharCentre);
        var issuer = await fixture.AsClientAsync(issuerId, issuerSecret);
        var holderCode = LicenseApiTests.NewCompany();
        var food = await IssueAsync(issuer, holderCode, Demo.FoodType);
        var production = await IssueAsync(issuer, holderCode, ProductionType);
        return new World(issuer, await fixture.AsClientAsync(inId, inSecret), await fixture.AsClientAsync(outId, outSecret),
            await fixture.AsHolderAsync("001", holderCode, "哈尔滨示例餐饮有限公司"), holderCode, food, production);
    }

    private static async Task<string> IssueAsync(HttpClient issuer, string holder, string typeCode)
    {
        using var response = await issuer.PostAsJsonAsync("/api/licenses", new
        {
            typeCode,
            holder = new { idType = "001", idNumber = holder, name = "哈尔滨示例餐饮有限公司" },
            fields = new { operatorName = "哈尔滨示例餐饮有限公司", address = "哈尔滨市南岗区示例路1号", category = "餐饮服务经营者" },
            validFrom = TestCalendar.Iso(),
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.ReadJson()).GetProperty("id").GetString()!;
    }

    private static async Task Put(HttpClient http, string path, object body) => (await http.PutAsJsonAsync(path, body)).EnsureSuccessStatusCode();

    private static Task<HttpResponseMessage> Lookup(HttpClient hall, string holder, string matter, string purpose = "办理食品经营许可变更") =>
        hall.PostAsJsonAsync("/api/verifications/holder-licenses", new
        {
            holder = new { idType = "001", idNumber = holder }, matterCode = matter, purpose, caseNumber = "2301002026120100001",
        });

    /// <summary>A purpose no other test states, to find this test's audit records by (a credit code of digits only reads as
    /// shaped like a citizen id and is masked in the record, so the holder's code cannot be searched for).</summary>
    private static string UniquePurpose() => $"办理食品经营许可变更-{Guid.NewGuid():N}"[..20];

    [Fact]
    public async Task HolderLookup_ListsOnlyTheTypesTheHallsScopeMapsToTheMatter_WithoutFaceData_AndIsAudited()
    {
        using var w = await SetUpAsync();

        var purpose = UniquePurpose();
        using var response = await Lookup(w.InScopeHall, w.HolderCode, Demo.FoodMatter, purpose);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.ReadJson();
        var licenses = body.GetProperty("licenses").EnumerateArray().ToList();
        // The holder holds a food-business and a food-production licence; the matter maps only the first.
        var found = Assert.Single(licenses);
        Assert.Equal(w.FoodLicense, found.GetProperty("id").GetString());
        Assert.Equal(Demo.FoodType, found.GetProperty("typeCode").GetString());
        Assert.Equal(LookupIssuer, found.GetProperty("issuerCode").GetString());
        Assert.Equal("valid", found.GetProperty("status").GetString());
        Assert.Equal("01", found.GetProperty("statusCode").GetString());
        Assert.Equal(TestCalendar.Iso(), found.GetProperty("validFrom").GetString());
        Assert.False(found.TryGetProperty("fields", out _));
        var text = body.GetRawText();
        Assert.DoesNotContain("示例路1号", text, StringComparison.Ordinal);
        Assert.DoesNotContain(w.ProductionLicense, text, StringComparison.Ordinal);

        // The lookup is a read of personal data: audited with the holder it was about and the stated purpose.
        var resource = (string?)await fixture.ScalarAsync(
            "SELECT resource FROM audit_records WHERE action = 'ListHolderLicensesForMatter' AND outcome = 'succeeded' AND purpose = $1", purpose);
        Assert.StartsWith("/api/verifications/holder-licenses?holder=001:", resource, StringComparison.Ordinal);
        Assert.EndsWith($"&matterCode={Demo.FoodMatter}", resource, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HolderLookup_OutsideTheScope_AnswersExactlyAsForAHolderWithNothing()
    {
        using var w = await SetUpAsync();

        // The Qiqihar hall's scope maps its own matter, not Harbin's, to the food type: nothing to see, and the answer
        // is the one a person holding nothing gets, so it is no oracle for whether this holder holds anything.
        var purpose = UniquePurpose();
        using var outOfScope = await Lookup(w.OutOfScopeHall, w.HolderCode, Demo.FoodMatter, purpose);
        using var holdsNothing = await Lookup(w.InScopeHall, LicenseApiTests.NewCompany(), Demo.FoodMatter);
        var first = await ProblemAssert.IsProblem(outOfScope, HttpStatusCode.NotFound);
        var second = await ProblemAssert.IsProblem(holdsNothing, HttpStatusCode.NotFound);
        Assert.Equal(first.GetProperty("detail").GetString(), second.GetProperty("detail").GetString());
        Assert.Equal(first.GetProperty("title").GetString(), second.GetProperty("title").GetString());

        // For its own matter the same hall finds the food licence, and only it.
        using var ownMatter = await Lookup(w.OutOfScopeHall, w.HolderCode, OtherMatter);
        var ids = (await ownMatter.ReadJson()).GetProperty("licenses").EnumerateArray().Select(l => l.GetProperty("id").GetString()).ToList();
        Assert.Equal([w.FoodLicense], ids);

        var refusals = await fixture.ScalarAsync(
            "SELECT count(*) FROM audit_records WHERE action = 'ListHolderLicensesForMatter' AND status = 404 AND purpose = $1", purpose);
        Assert.Equal(1L, refusals);
    }

    [Fact]
    public async Task HolderLookup_BadInput_NamesEveryBadField()
    {
        using var w = await SetUpAsync();
        var badCode = w.HolderCode[..17] + (w.HolderCode[17] == 'X' ? 'Y' : 'X');
        using var response = await w.InScopeHall.PostAsJsonAsync("/api/verifications/holder-licenses", new
        {
            holder = new { idType = "001", idNumber = badCode }, matterCode = "bad matter", caseNumber = "no spaces allowed",
        });
        await ProblemAssert.IsValidationProblem(response, "holder.idNumber", "matterCode", "purpose", "caseNumber");

        using var wrongType = await w.InScopeHall.PostAsJsonAsync("/api/verifications/holder-licenses", new
        {
            holder = new { idType = "999", idNumber = w.HolderCode }, matterCode = Demo.FoodMatter, purpose = "x",
        });
        await ProblemAssert.IsValidationProblem(wrongType, "holder.idType");
    }

    [Fact]
    public async Task Document_ForAnAuthorizedVerifier_SpendsOneUse_AndIsRecordedAsADocumentUse()
    {
        using var w = await SetUpAsync();
        var grant = await (await w.Holder.PostAsJsonAsync("/api/me/authorizations", new
        {
            licenseId = w.FoodLicense, granteeUnitCode = QiqiharCentre, purpose = "异地办理", expiresAt = fixture.Clock.GetUtcNow().AddDays(1), maxUses = 2,
        })).ReadJson();
        var authorizationId = grant.GetProperty("id").GetString()!;
        string Url(string purpose) =>
            $"/api/licenses/{w.FoodLicense}/document?authorizationId={authorizationId}&matterCode={OtherMatter}&purpose={Uri.EscapeDataString(purpose)}&caseNumber=QQ-1";

        // Without stating the basis: 400 naming what is missing.
        await ProblemAssert.IsValidationProblem(await w.OutOfScopeHall.GetAsync($"/api/licenses/{w.FoodLicense}/document"), "authorizationId", "matterCode", "purpose");
        // Another purpose than the grant's: refused, and nothing is spent.
        Assert.Equal(HttpStatusCode.NotFound, (await w.OutOfScopeHall.GetAsync(Url("办理其他事项"))).StatusCode);
        // A hall the holder did not authorize: 404 even with the grant's id.
        Assert.Equal(HttpStatusCode.NotFound, (await w.InScopeHall.GetAsync(Url("异地办理"))).StatusCode);

        using var first = await w.OutOfScopeHall.GetAsync(Url("异地办理"));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var document = await first.ReadJson();
        Assert.Contains("示例路1号", document.GetProperty("canonical").GetString(), StringComparison.Ordinal); // the whole document
        var verificationId = document.GetProperty("verificationId").GetString()!;

        // The document checks as genuine and current at the public document check.
        var check = await (await fixture.Anonymous().PostAsJsonAsync("/api/verifications/document", new
        {
            canonical = document.GetProperty("canonical").GetString(), signature = document.GetProperty("signature").GetString(),
            certificate = document.GetProperty("certificate").GetString(),
        })).ReadJson();
        Assert.True(check.GetProperty("valid").GetBoolean(), check.GetRawText());

        // The use archive has it, as a document use, for the unit that received it; the holder sees it too.
        var record = await (await w.OutOfScopeHall.GetAsync($"/api/verifications/{verificationId}")).ReadJson();
        Assert.Equal("document", record.GetProperty("kind").GetString());
        Assert.Equal("authorization", record.GetProperty("basis").GetString());
        Assert.Equal("QQ-1", record.GetProperty("caseNumber").GetString());
        var usage = (await (await w.Holder.GetAsync("/api/me/usage")).ReadJson()).GetProperty("items").EnumerateArray().ToList();
        Assert.Contains(usage, u => u.GetProperty("verificationId").GetString() == verificationId && u.GetProperty("kind").GetString() == "document");

        // Two uses granted: the second retrieval is allowed, the third is not.
        Assert.Equal(HttpStatusCode.OK, (await w.OutOfScopeHall.GetAsync(Url("异地办理"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await w.OutOfScopeHall.GetAsync(Url("异地办理"))).StatusCode);
        var uses = (await (await w.Holder.GetAsync("/api/me/authorizations")).ReadJson()).EnumerateArray()
            .Single(a => a.GetProperty("id").GetString() == authorizationId).GetProperty("uses").GetInt32();
        Assert.Equal(2, uses);
    }
}
