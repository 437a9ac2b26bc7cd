using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansLicenses.Tests.Infrastructure;
using OrleansLicenses.Tests.Licenses;

namespace OrleansLicenses.Tests.Corrections;

/// <summary>Issue 12 over HTTP: filing, who may see a request, decisions through the transition table, notifications, audit.</summary>
[Collection(ApiCollection.Name)]
public sealed class CorrectionApiTests(ApiFixture fixture)
{
    private const string QiqiharCentre = "11230200000000035J";
    private const string OtherMatter = "230200-FOOD-001";

    private sealed record World(
        HttpClient Admin, HttpClient Issuer, HttpClient OtherIssuer, HttpClient UsingHall, HttpClient UnrelatedHall,
        HttpClient Holder, HttpClient OtherHolder, string LicenseId) : IDisposable
    {
        public void Dispose()
        {
            foreach (var client in new[] { Admin, Issuer, OtherIssuer, UsingHall, UnrelatedHall, Holder, OtherHolder })
            {
                client.Dispose();
            }
        }
    }

    private async Task<World> SetUpAsync()
    {
        var admin = await fixture.AsAdminAsync();
        await Demo.SeedAsync(admin);
        (await admin.PutAsJsonAsync($"/api/units/{Demo.ProvinceData}", Demo.Unit("电子证照库运营", "230000", "province", null))).EnsureSuccessStatusCode();
        (await admin.PutAsJsonAsync($"/api/units/{Demo.QiqiharMarket}", Demo.Unit("齐齐哈尔市市场监督管理局", "230200", "city", Demo.ProvinceMarket, [Demo.FoodType]))).EnsureSuccessStatusCode();
        (await admin.PutAsJsonAsync($"/api/units/{QiqiharCentre}", Demo.Unit("齐齐哈尔市政务服务中心", "230200", "city", Demo.ProvinceData, null,
            [new { matterCode = OtherMatter, matterName = "食品经营许可变更", licenseTypes = new[] { Demo.FoodType } }]))).EnsureSuccessStatusCode();
        async Task<HttpClient> Client(string role, string unit)
        {
            var (id, secret) = await fixture.RegisterClientAsync(role, unit);
            return await fixture.AsClientAsync(id, secret);
        }

        var issuer = await Client("issuer", Demo.HarbinMarket);
        var holderCode = LicenseApiTests.NewCompany();
        var license = await (await issuer.PostAsJsonAsync("/api/licenses", LicenseApiTests.IssueBody(holderCode))).ReadJson();
        var licenseId = license.GetProperty("id").GetString()!;
        var hall = await Client("verifier", Demo.HarbinCentre);
        // The hall uses the licence (in scope, holder identified): its use archive now has a record of it.
        using (var used = await hall.PostAsJsonAsync("/api/verifications", new
        {
            licenseId, holder = new { idType = "001", idNumber = holderCode }, matterCode = Demo.FoodMatter, purpose = "办理食品经营许可变更",
        }))
        {
            Assert.Equal(HttpStatusCode.OK, used.StatusCode);
        }

        return new World(admin, issuer, await Client("issuer", Demo.QiqiharMarket), hall, await Client("verifier", QiqiharCentre),
            await fixture.AsHolderAsync("001", holderCode, "哈尔滨示例餐饮有限公司"),
            await fixture.AsHolderAsync("001", LicenseApiTests.NewCompany(), "另一家公司"), licenseId);
    }

    private static object Filing(string licenseId, string cause = "data") =>
        new { licenseId, fields = new { address = "哈尔滨市南岗区示例路2号" }, description = "经营场所门牌号有误", cause };

    private static async Task<JsonElement> FileAsync(HttpClient requester, string licenseId, string cause = "data")
    {
        using var response = await requester.PostAsJsonAsync("/api/corrections", Filing(licenseId, cause));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return await response.ReadJson();
    }

    private static async Task<List<JsonElement>> ItemsAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return [.. (await response.ReadJson()).GetProperty("items").EnumerateArray()];
    }

    [Fact]
    public async Task HolderFiles_IssuerCorrects_NewVersion_RequesterNotified_SecondResolveIs409()
    {
        using var w = await SetUpAsync();
        var filed = await FileAsync(w.Holder, w.LicenseId);
        var id = filed.GetProperty("id").GetString()!;
        Assert.Equal(("open", "issuer"), (filed.GetProperty("status").GetString(), filed.GetProperty("stage").GetString()));
        var dueAt = filed.GetProperty("dueAt").GetDateTimeOffset();
        Assert.InRange(dueAt - TestCalendar.Clock.GetUtcNow(), TimeSpan.FromDays(3) - TimeSpan.FromMinutes(5), TimeSpan.FromDays(3));
        // The answer carries what the requester sent, not the licence's face values.
        Assert.DoesNotContain("示例路1号", filed.GetRawText(), StringComparison.Ordinal);

        using var resolved = await w.Issuer.PostAsJsonAsync($"/api/corrections/{id}/resolve",
            new { outcome = "corrected", fields = new { address = "哈尔滨市南岗区示例路2号" }, reason = "核实门牌号，予以更正" });
        Assert.Equal(HttpStatusCode.OK, resolved.StatusCode);
        var body = await resolved.ReadJson();
        Assert.Equal(("resolved", "002"), (body.GetProperty("status").GetString(), body.GetProperty("newVersion").GetString()));
        var newId = body.GetProperty("newIdentifier").GetString()!;
        var current = await (await w.Issuer.GetAsync($"/api/licenses/{newId}")).ReadJson();
        Assert.Equal("哈尔滨市南岗区示例路2号", current.GetProperty("fields").GetProperty("address").GetString());
        var history = await (await w.Holder.GetAsync($"/api/licenses/{w.LicenseId}/history")).ReadJson();
        Assert.Contains(history.EnumerateArray(), h => h.GetProperty("reason").GetString()?.Contains(id, StringComparison.Ordinal) == true);

        var again = await ProblemAssert.IsProblem(await w.Issuer.PostAsJsonAsync($"/api/corrections/{id}/resolve",
            new { outcome = "confirmed", reason = "再次处理" }), HttpStatusCode.Conflict);
        Assert.Equal("correction.invalid_transition", again.GetProperty("code").GetString());
        await ProblemAssert.IsProblem(await w.Issuer.PostAsJsonAsync($"/api/corrections/{id}/forward", new { reason = "x" }), HttpStatusCode.Conflict);

        // The holder was told; marking it read takes it off the unread list; nobody else can mark it.
        var mine = (await ItemsAsync(w.Holder, "/api/me/notifications?unread=true")).Where(n => n.GetProperty("correctionId").GetString() == id).ToList();
        Assert.Equal(new[] { "resolved", "filed" }, mine.Select(n => n.GetProperty("kind").GetString()));
        var notice = mine[0].GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.NotFound, (await w.OtherHolder.PostAsync($"/api/notifications/{notice}/read", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await w.Issuer.PostAsync($"/api/notifications/{notice}/read", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await w.Holder.PostAsync($"/api/notifications/{notice}/read", null)).StatusCode);
        Assert.DoesNotContain(await ItemsAsync(w.Holder, "/api/me/notifications?unread=true"), n => n.GetProperty("id").GetString() == notice);
        Assert.Contains(await ItemsAsync(w.Holder, "/api/me/notifications"), n => n.GetProperty("id").GetString() == notice && n.GetProperty("read").GetBoolean());
        Assert.Contains(await ItemsAsync(w.Issuer, $"/api/units/{Demo.HarbinMarket}/notifications"), n => n.GetProperty("correctionId").GetString() == id);
        Assert.Contains(await ItemsAsync(w.Admin, "/api/admin/notifications"), n => n.GetProperty("correctionId").GetString() == id);
        await ProblemAssert.IsProblem(await w.OtherIssuer.GetAsync($"/api/units/{Demo.HarbinMarket}/notifications"), HttpStatusCode.NotFound);

        // Lists from the read model, and the statistics.
        Assert.Contains(await ItemsAsync(w.Holder, "/api/corrections?view=mine&status=resolved"), c => c.GetProperty("id").GetString() == id);
        Assert.Contains(await ItemsAsync(w.Issuer, "/api/corrections?view=issuer"), c => c.GetProperty("id").GetString() == id);
        Assert.DoesNotContain(await ItemsAsync(w.OtherIssuer, "/api/corrections?view=issuer"), c => c.GetProperty("id").GetString() == id);
        Assert.DoesNotContain(await ItemsAsync(w.OtherHolder, "/api/corrections"), c => c.GetProperty("id").GetString() == id);
        Assert.DoesNotContain(await ItemsAsync(w.Issuer, "/api/corrections?status=open"), c => c.GetProperty("id").GetString() == id);
        await ProblemAssert.IsProblem(await w.Holder.GetAsync("/api/corrections?view=operator"), HttpStatusCode.BadRequest, "view");
        var stats = await (await w.Admin.GetAsync("/api/admin/stats")).ReadJson();
        var harbin = stats.GetProperty("correctionsByIssuer").GetProperty(Demo.HarbinMarket);
        Assert.True(harbin.GetProperty("resolved").GetInt64() >= 1);
        Assert.Equal(JsonValueKind.Number, harbin.GetProperty("meanHoursToResolve").ValueKind);

        // Every step left an audit record with its outcome.
        foreach (var action in new[] { "FileCorrection", "ResolveCorrection", "MarkNotificationRead", "UnitNotifications" })
        {
            Assert.True((long)(await fixture.ScalarAsync("SELECT count(*) FROM audit_records WHERE action = $1 AND outcome <> 'attempted'", action))! > 0, action);
        }
    }

    [Fact]
    public async Task StrangersOtherHoldersAndUnrelatedVerifiers_Get404_AndAVerifierWithoutAUseRecordCannotFile()
    {
        using var w = await SetUpAsync();
        var id = (await FileAsync(w.Holder, w.LicenseId)).GetProperty("id").GetString()!;
        var missing = Guid.NewGuid();
        foreach (var (who, client) in new[] { ("holder", w.Holder), ("issuer", w.Issuer), ("admin", w.Admin) })
        {
            Assert.True((await w.Holder.GetAsync($"/api/corrections/{id}")).StatusCode == HttpStatusCode.OK, who);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/corrections/{id}")).StatusCode);
        }

        foreach (var client in new[] { w.OtherIssuer, w.OtherHolder, w.UnrelatedHall, w.UsingHall })
        {
            var foreign = await ProblemAssert.IsProblem(await client.GetAsync($"/api/corrections/{id}"), HttpStatusCode.NotFound);
            var nonexistent = await ProblemAssert.IsProblem(await client.GetAsync($"/api/corrections/{missing}"), HttpStatusCode.NotFound);
            Assert.Equal(nonexistent.GetProperty("detail").GetString(), foreign.GetProperty("detail").GetString());
        }

        // Acting on it as another unit's issuer is as if it did not exist.
        await ProblemAssert.IsProblem(await w.OtherIssuer.PostAsJsonAsync($"/api/corrections/{id}/resolve", new { outcome = "confirmed", reason = "x" }), HttpStatusCode.NotFound);

        // A hall that never used the licence cannot file (and cannot tell it from a licence that does not exist);
        // another holder cannot either; the hall that used it can, and sees its own request.
        await ProblemAssert.IsProblem(await w.UnrelatedHall.PostAsJsonAsync("/api/corrections", Filing(w.LicenseId)), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblem(await w.OtherHolder.PostAsJsonAsync("/api/corrections", Filing(w.LicenseId)), HttpStatusCode.NotFound);
        var byHall = await FileAsync(w.UsingHall, w.LicenseId, "technical");
        var hallRequest = byHall.GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await w.UsingHall.GetAsync($"/api/corrections/{hallRequest}")).StatusCode);
        await ProblemAssert.IsProblem(await w.Holder.GetAsync($"/api/corrections/{hallRequest}"), HttpStatusCode.NotFound);
        Assert.Contains(await ItemsAsync(w.UsingHall, $"/api/units/{Demo.HarbinCentre}/notifications"), n => n.GetProperty("correctionId").GetString() == hallRequest);

        // Technical path over HTTP: forward, operator resolves (confirmed), issuer closes; the hall learns the outcome.
        Assert.Equal(HttpStatusCode.OK, (await w.Issuer.PostAsJsonAsync($"/api/corrections/{hallRequest}/forward", new { reason = "技术原因" })).StatusCode);
        Assert.Contains(await ItemsAsync(w.Admin, "/api/corrections?view=operator&status=open"), c => c.GetProperty("id").GetString() == hallRequest);
        Assert.Equal(HttpStatusCode.OK, (await w.Admin.PostAsJsonAsync($"/api/corrections/{hallRequest}/resolve", new { outcome = "confirmed", reason = "库内数据与源系统一致" })).StatusCode);
        var closed = await (await w.Issuer.PostAsJsonAsync($"/api/corrections/{hallRequest}/close", new { reason = "已告知申请单位" })).ReadJson();
        Assert.Equal(("resolved", "confirmed"), (closed.GetProperty("status").GetString(), closed.GetProperty("outcome").GetString()));
        Assert.Contains(await ItemsAsync(w.UsingHall, $"/api/units/{Demo.HarbinCentre}/notifications"),
            n => n.GetProperty("correctionId").GetString() == hallRequest && n.GetProperty("kind").GetString() == "closed");
    }

    [Fact]
    public async Task BadInput_IsAProblemNamingEachField_NeverA500()
    {
        using var w = await SetUpAsync();
        var problem = await ProblemAssert.IsProblem(await w.Holder.PostAsJsonAsync("/api/corrections",
            new { licenseId = w.LicenseId, fields = new { noSuchElement = "x" }, cause = "weather" }), HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        foreach (var field in new[] { "fields.noSuchElement", "description", "cause" })
        {
            Assert.True(errors.TryGetProperty(field, out _), $"{field} not named: {problem}");
        }

        await ProblemAssert.IsProblem(await w.Holder.PostAsJsonAsync("/api/corrections", new { licenseId = "nope", description = "x", cause = "data" }), HttpStatusCode.BadRequest, "licenseId");
        await ProblemAssert.IsProblem(await w.Holder.PostAsJsonAsync("/api/corrections", new { licenseId = w.LicenseId, description = "x", cause = "data" }), HttpStatusCode.BadRequest, "fields");
        var id = (await FileAsync(w.Holder, w.LicenseId)).GetProperty("id").GetString()!;
        await ProblemAssert.IsProblem(await w.Issuer.PostAsJsonAsync($"/api/corrections/{id}/resolve", new { outcome = "maybe" }), HttpStatusCode.BadRequest, "outcome");
        await ProblemAssert.IsProblem(await w.Issuer.PostAsJsonAsync($"/api/corrections/{id}/resolve", new { outcome = "corrected", reason = "x" }), HttpStatusCode.BadRequest, "fields");
        await ProblemAssert.IsProblem(await w.Issuer.PostAsJsonAsync($"/api/corrections/{id}/resolve",
            new { outcome = "corrected", fields = new { category = "不存在的业态" }, reason = "x" }), HttpStatusCode.BadRequest, "fields.category");
        await ProblemAssert.IsProblem(await w.Issuer.PostAsJsonAsync($"/api/corrections/{id}/forward", new { }), HttpStatusCode.BadRequest, "reason");
        await ProblemAssert.IsProblem(await w.Issuer.GetAsync("/api/corrections/not-a-uuid"), HttpStatusCode.BadRequest, "correctionId");
        await ProblemAssert.IsProblem(await w.Issuer.GetAsync("/api/corrections?status=late"), HttpStatusCode.BadRequest, "status");
    }
}
