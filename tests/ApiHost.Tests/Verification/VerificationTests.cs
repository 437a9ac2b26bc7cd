using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using OrleansLicenses.Tests.Infrastructure;
using OrleansLicenses.Tests.Licenses;

namespace OrleansLicenses.Tests.Verification;

[Collection(ApiCollection.Name)]
public sealed class VerificationTests(ApiFixture fixture)
{
    private const string QiqiharCentre = VerificationWorld.QiqiharCentre;
    private const string OtherMatter = VerificationWorld.OtherMatter;

    private Task<VerificationWorld> SetUpAsync() => VerificationWorld.SetUpAsync(fixture);

    private static async Task<HttpResponseMessage> Verify(HttpClient hall, object body) => await hall.PostAsJsonAsync("/api/verifications", body);

    private static object ByScope(VerificationWorld w, string matter = Demo.FoodMatter, object? compare = null) =>
        new { licenseId = w.LicenseId, holder = new { idType = "001", idNumber = w.HolderCode }, matterCode = matter, purpose = "办理食品经营许可变更", compare };

    private static async Task<string> PresentAsync(VerificationWorld w)
    {
        using var response = await w.Holder.PostAsJsonAsync($"/api/me/licenses/{w.LicenseId}/presentations", new { purpose = "办理食品经营许可变更", ttlSeconds = 300 });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.ReadJson();
        var png = Convert.FromBase64String(body.GetProperty("qrPng").GetString()!);
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, png[..4]);
        return body.GetProperty("token").GetString()!;
    }

    [Fact]
    public async Task ScopeMatrix_TokenScopeAndAuthorization_UntilWithdrawnOrUsedUp()
    {
        using var w = await SetUpAsync();
        var token = await PresentAsync(w);

        // In-scope hall with the holder's presentation token.
        var byToken = await (await Verify(w.InScopeHall, new { presentationToken = token, matterCode = Demo.FoodMatter, purpose = "办理食品经营许可变更" })).ReadJson();
        Assert.True(byToken.GetProperty("valid").GetBoolean());
        // In-scope hall by identifier with the holder identified.
        Assert.Equal(HttpStatusCode.OK, (await Verify(w.InScopeHall, ByScope(w))).StatusCode);
        // In-scope hall, but the holder named is someone else: 404.
        Assert.Equal(HttpStatusCode.NotFound, (await Verify(w.InScopeHall, new
        {
            licenseId = w.LicenseId, holder = new { idType = "001", idNumber = LicenseApiTests.NewCompany() }, matterCode = Demo.FoodMatter, purpose = "x",
        })).StatusCode);
        // A hall whose scope does not cover the type for the stated matter, without authorization: 404.
        await ProblemAssert.IsProblem(await Verify(w.OutOfScopeHall, ByScope(w)), HttpStatusCode.NotFound);
        // Scope is by matter: for its own matter, which covers the type, the same hall may verify an identified holder.
        Assert.Equal(HttpStatusCode.OK, (await Verify(w.OutOfScopeHall, ByScope(w, OtherMatter))).StatusCode);

        // The holder authorizes the out-of-scope hall for two uses.
        var grant = await (await w.Holder.PostAsJsonAsync("/api/me/authorizations", new
        {
            licenseId = w.LicenseId, granteeUnitCode = QiqiharCentre, matterCode = Demo.FoodMatter, purpose = "异地办理",
            expiresAt = fixture.Clock.GetUtcNow().AddDays(1), maxUses = 2,
        })).ReadJson();
        var auth = new { licenseId = w.LicenseId, authorizationId = grant.GetProperty("id").GetString(), matterCode = Demo.FoodMatter, purpose = "异地办理" };
        // The grant is bound to its purpose: another purpose is refused and spends nothing.
        Assert.Equal(HttpStatusCode.NotFound, (await Verify(w.OutOfScopeHall, auth with { purpose = "办理其他事项" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Verify(w.OutOfScopeHall, auth)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Verify(w.OutOfScopeHall, auth)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Verify(w.OutOfScopeHall, auth)).StatusCode);
        // Another hall cannot ride on an authorization granted to the first.
        Assert.Equal(HttpStatusCode.NotFound, (await Verify(w.InScopeHall, auth with { matterCode = Demo.FoodMatter })).StatusCode);

        // Withdrawn: effective on the next request.
        var second = await (await w.Holder.PostAsJsonAsync("/api/me/authorizations", new
        {
            licenseId = w.LicenseId, granteeUnitCode = QiqiharCentre, purpose = "异地办理", expiresAt = fixture.Clock.GetUtcNow().AddDays(1),
        })).ReadJson();
        var secondAuth = auth with { authorizationId = second.GetProperty("id").GetString() };
        Assert.Equal(HttpStatusCode.OK, (await Verify(w.OutOfScopeHall, secondAuth)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await w.Holder.DeleteAsync($"/api/me/authorizations/{second.GetProperty("id").GetString()}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Verify(w.OutOfScopeHall, secondAuth)).StatusCode);

        // Expired: a grant stops working once its end has passed on the deployment's clock (moved, not waited for).
        var shortLived = await (await w.Holder.PostAsJsonAsync("/api/me/authorizations", new
        {
            licenseId = w.LicenseId, granteeUnitCode = QiqiharCentre, purpose = "异地办理", expiresAt = fixture.Clock.GetUtcNow().AddMinutes(1),
        })).ReadJson();
        var shortAuth = auth with { authorizationId = shortLived.GetProperty("id").GetString() };
        Assert.Equal(HttpStatusCode.OK, (await Verify(w.OutOfScopeHall, shortAuth)).StatusCode);
        fixture.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(HttpStatusCode.NotFound, (await Verify(w.OutOfScopeHall, shortAuth)).StatusCode);

        var states = (await (await w.Holder.GetAsync("/api/me/authorizations")).ReadJson()).EnumerateArray().Select(a => a.GetProperty("state").GetString()).ToList();
        Assert.Contains("used-up", states);
        Assert.Contains("withdrawn", states);
        Assert.Contains("expired", states);
    }

    [Fact]
    public async Task ARetriedVerification_WithItsIdempotencyKey_ReturnsTheFirstAnswer_AndSpendsOneUse()
    {
        using var w = await SetUpAsync();
        var grant = await (await w.Holder.PostAsJsonAsync("/api/me/authorizations", new
        {
            licenseId = w.LicenseId, granteeUnitCode = QiqiharCentre, matterCode = Demo.FoodMatter, purpose = "异地办理",
            expiresAt = fixture.Clock.GetUtcNow().AddDays(1), maxUses = 1,
        })).ReadJson();
        var auth = new { licenseId = w.LicenseId, authorizationId = grant.GetProperty("id").GetString(), matterCode = Demo.FoodMatter, purpose = "异地办理" };
        var key = Guid.NewGuid().ToString();
        async Task<HttpResponseMessage> Send()
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/verifications") { Content = JsonContent.Create(auth) };
            request.Headers.Add("Idempotency-Key", key);
            return await w.OutOfScopeHall.SendAsync(request);
        }

        using var first = await Send();
        using var retried = await Send();
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (first.StatusCode, retried.StatusCode));
        var id = (await first.ReadJson()).GetProperty("verificationId").GetString();
        Assert.Equal(id, (await retried.ReadJson()).GetProperty("verificationId").GetString());
        Assert.Equal("true", retried.Headers.GetValues("Idempotent-Replayed").Single());

        // The one use the holder allowed was spent once: a new request (another key) is refused, and one use record exists.
        Assert.Equal(HttpStatusCode.NotFound, (await Verify(w.OutOfScopeHall, auth)).StatusCode);
        await using var db = new NpgsqlConnection(fixture.ConnectionString);
        await db.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM license_uses WHERE authorization_id = $1", db) { Parameters = { new() { Value = grant.GetProperty("id").GetString() } } };
        Assert.Equal(1L, (long)(await count.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task CaseNumberAndOfficer_AreArchived_PrintedOnTheCopy_AndShownToTheHolderMasked()
    {
        using var w = await SetUpAsync();
        var caseNumber = $"230100{TestCalendar.Today:yyyyMMdd}{Random.Shared.Next(10_000, 99_999)}";
        using var verified = await Verify(w.InScopeHall, new
        {
            licenseId = w.LicenseId, holder = new { idType = "001", idNumber = w.HolderCode }, matterCode = Demo.FoodMatter, purpose = "办理食品经营许可变更",
            caseNumber, @operator = new { name = "李四海" },
        });
        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        var id = (await verified.ReadJson()).GetProperty("verificationId").GetString();

        var record = await (await w.InScopeHall.GetAsync($"/api/verifications/{id}")).ReadJson();
        Assert.Equal((caseNumber, "李四海"), (record.GetProperty("caseNumber").GetString(), record.GetProperty("operatorName").GetString()));
        var copy = await w.InScopeHall.GetStringAsync($"/api/verifications/{id}/copy");
        Assert.Contains($"办件编号：{caseNumber}", copy, StringComparison.Ordinal);
        Assert.Contains("经办人：李四海", copy, StringComparison.Ordinal);

        var usage = (await (await w.Holder.GetAsync("/api/me/usage")).ReadJson()).GetProperty("items").EnumerateArray()
            .Single(u => u.GetProperty("verificationId").GetString() == id);
        Assert.Equal((caseNumber, "李**"), (usage.GetProperty("caseNumber").GetString(), usage.GetProperty("operator").GetString()));

        await ProblemAssert.IsProblem(await Verify(w.InScopeHall, new
        {
            licenseId = w.LicenseId, holder = new { idType = "001", idNumber = w.HolderCode }, matterCode = Demo.FoodMatter, purpose = "x",
            caseNumber = "办件 1", @operator = new { name = "" },
        }), HttpStatusCode.BadRequest, "caseNumber");
    }

    [Fact]
    public async Task MinimumNecessary_AndComparison_NeverRevealUnentitledValues()
    {
        using var w = await SetUpAsync();
        var full = await (await Verify(w.InScopeHall, ByScope(w))).ReadJson();
        Assert.True(full.GetProperty("license").GetProperty("fields").TryGetProperty("address", out _));

        // 比对: a compare-only answer carries identity, status, validity and the comparison, but no face value at all
        // (not even the authoritative value of a mismatching element, nor the holder's name or id number).
        using var compared = await Verify(w.InScopeHall, ByScope(w, compare: new { address = "哈尔滨市南岗区示例路1号", category = "食品销售经营者", nosuch = "x" }));
        var compareText = await compared.Content.ReadAsStringAsync();
        var inScope = JsonDocument.Parse(compareText).RootElement;
        Assert.Empty(inScope.GetProperty("license").GetProperty("fields").EnumerateObject());
        Assert.Equal((w.LicenseId, "valid"), (inScope.GetProperty("license").GetProperty("id").GetString(), inScope.GetProperty("status").GetString()));
        foreach (var value in full.GetProperty("license").GetProperty("fields").EnumerateObject().Select(f => f.Value.GetString()!)
            .Append(full.GetProperty("license").GetProperty("holderName").GetString()!).Append(w.HolderCode))
        {
            Assert.DoesNotContain(value, compareText, StringComparison.Ordinal);
        }

        var comparison = inScope.GetProperty("comparison");
        Assert.Equal("match", comparison.GetProperty("address").GetString());
        Assert.Equal("mismatch", comparison.GetProperty("category").GetString());
        Assert.Equal("absent", comparison.GetProperty("nosuch").GetString());

        var grant = await (await w.Holder.PostAsJsonAsync("/api/me/authorizations", new
        {
            licenseId = w.LicenseId, granteeUnitCode = QiqiharCentre, purpose = "核验地址", expiresAt = fixture.Clock.GetUtcNow().AddDays(1),
        })).ReadJson();
        using var response = await Verify(w.OutOfScopeHall, new
        {
            licenseId = w.LicenseId, authorizationId = grant.GetProperty("id").GetString(), matterCode = Demo.FoodMatter, purpose = "核验地址",
            compare = new { address = "错误地址" },
        });
        var text = await response.Content.ReadAsStringAsync();
        var outOfScope = JsonDocument.Parse(text).RootElement;
        // Not disclosed to this hall, so not comparable either: a comparison must not let it guess the value.
        Assert.Equal("not-permitted", outOfScope.GetProperty("comparison").GetProperty("address").GetString());
        Assert.False(outOfScope.GetProperty("license").GetProperty("fields").TryGetProperty("address", out _));
        Assert.DoesNotContain("南岗区示例路", text, StringComparison.Ordinal);

        // A key that is no face-element key (here a NUL) is a 400 for this request, not a failure of the archive batch.
        await ProblemAssert.IsProblem(await Verify(w.InScopeHall, ByScope(w, compare: new Dictionary<string, string> { ["\0"] = "x" })),
            HttpStatusCode.BadRequest, "compare");
    }

    [Fact]
    public async Task SuspendedRevokedExpiredSuperseded_VerifyAsInvalid_WithTheReason()
    {
        using var w = await SetUpAsync();
        await w.Issuer.PostAsJsonAsync($"/api/licenses/{w.LicenseId}/events", new { type = "suspend", reason = "停业整顿" });
        Assert.Equal(["suspended"], await Reasons(w, w.LicenseId));
        await w.Issuer.PostAsJsonAsync($"/api/licenses/{w.LicenseId}/events", new { type = "reinstate", reason = "整改完成" });
        Assert.Empty(await Reasons(w, w.LicenseId));

        var changed = await (await w.Issuer.PostAsJsonAsync($"/api/licenses/{w.LicenseId}/changes", new
        {
            fields = new { operatorName = "哈尔滨示例餐饮有限公司", address = "新址", category = "餐饮服务经营者" }, reason = "地址变更",
        })).ReadJson();
        Assert.Equal(["superseded"], await Reasons(w, w.LicenseId));
        var current = changed.GetProperty("id").GetString()!;
        await w.Issuer.PostAsJsonAsync($"/api/licenses/{current}/events", new { type = "revoke", reason = "严重违法" });
        Assert.Equal(["revoked"], await Reasons(w, current));

        var holder = LicenseApiTests.NewCompany();
        var old = await (await w.Issuer.PostAsJsonAsync("/api/licenses", new
        {
            typeCode = Demo.FoodType, holder = new { idType = "001", idNumber = holder, name = "过期示例" },
            fields = new { operatorName = "过期示例", address = "x", category = "餐饮服务经营者" }, validFrom = TestCalendar.Iso(-3 * 365), validUntil = TestCalendar.Iso(-30),
        })).ReadJson();
        var expired = await (await Verify(w.InScopeHall, new
        {
            licenseId = old.GetProperty("id").GetString(), holder = new { idType = "001", idNumber = holder }, matterCode = Demo.FoodMatter, purpose = "x",
        })).ReadJson();
        Assert.False(expired.GetProperty("valid").GetBoolean());
        Assert.Equal("expired", expired.GetProperty("status").GetString());
        Assert.Equal("05", expired.GetProperty("statusCode").GetString());
    }

    [Fact]
    public async Task EveryOkVerification_HasAUseRecord_ReadableByTheVerifyingUnitOnly_AndByTheHolder()
    {
        using var w = await SetUpAsync();
        var ids = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            using var response = await Verify(w.InScopeHall, ByScope(w));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            ids.Add((await response.ReadJson()).GetProperty("verificationId").GetString()!);
        }

        await using (var connection = new NpgsqlConnection(fixture.ConnectionString))
        {
            await connection.OpenAsync();
            await using var cmd = new NpgsqlCommand("SELECT count(*) FROM license_uses WHERE id = ANY($1)", connection);
            cmd.Parameters.AddWithValue(ids.Select(Guid.Parse).ToArray());
            Assert.Equal(10L, (long)(await cmd.ExecuteScalarAsync())!);
        }

        var record = await (await w.InScopeHall.GetAsync($"/api/verifications/{ids[0]}")).ReadJson();
        Assert.Equal(Demo.FoodMatter, record.GetProperty("matterCode").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await w.OutOfScopeHall.GetAsync($"/api/verifications/{ids[0]}")).StatusCode);
        var copy = await w.InScopeHall.GetStringAsync($"/api/verifications/{ids[0]}/copy");
        Assert.Contains("仅用于办理食品经营许可变更", copy, StringComparison.Ordinal);

        var usage = await (await w.Holder.GetAsync("/api/me/usage?pageSize=100")).ReadJson();
        Assert.Equal(10, usage.GetProperty("total").GetInt32());
        Assert.All(usage.GetProperty("items").EnumerateArray(), u => Assert.Equal(Demo.HarbinCentre, u.GetProperty("unitCode").GetString()));
    }

    [Fact]
    public async Task Holder_SeesOwnLicences_AndAnotherHoldersLicenceIs404()
    {
        using var w = await SetUpAsync();
        var mine = await (await w.Holder.GetAsync("/api/me/licenses")).ReadJson();
        Assert.Contains(mine.EnumerateArray(), l => l.GetProperty("currentId").GetString() == w.LicenseId);
        Assert.Equal(HttpStatusCode.OK, (await w.Holder.GetAsync($"/api/me/licenses/{w.LicenseId}")).StatusCode);

        using var stranger = await fixture.AsHolderAsync("001", LicenseApiTests.NewCompany(), "别人");
        await ProblemAssert.IsProblem(await stranger.GetAsync($"/api/me/licenses/{w.LicenseId}"), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblem(await stranger.PostAsJsonAsync($"/api/me/licenses/{w.LicenseId}/presentations", new { purpose = "x" }), HttpStatusCode.NotFound);
        Assert.Empty((await (await stranger.GetAsync("/api/me/licenses")).ReadJson()).EnumerateArray());
    }

    [Fact]
    public async Task ForgedPresentationToken_IsRefused()
    {
        using var w = await SetUpAsync();
        var token = await PresentAsync(w);
        var forged = token[..^3] + (token[^3] == 'A' ? "B" : "A") + token[^2..];
        await ProblemAssert.IsProblem(await Verify(w.InScopeHall, new { presentationToken = forged, matterCode = Demo.FoodMatter, purpose = "x" }),
            HttpStatusCode.BadRequest, "presentationToken");
        await ProblemAssert.IsProblem(await Verify(w.InScopeHall, new { presentationToken = "garbage", matterCode = Demo.FoodMatter, purpose = "x" }),
            HttpStatusCode.BadRequest, "presentationToken");
        await ProblemAssert.IsProblem(await Verify(w.InScopeHall, new { presentationToken = token, purpose = "x" }), HttpStatusCode.BadRequest, "matterCode");
        // The token is bound to the purpose the holder presented it for.
        await ProblemAssert.IsProblem(await Verify(w.InScopeHall, new { presentationToken = token, matterCode = Demo.FoodMatter, purpose = "另作他用" }),
            HttpStatusCode.BadRequest, "purpose");
        Assert.Equal(HttpStatusCode.OK, (await Verify(w.InScopeHall, new { presentationToken = token, matterCode = Demo.FoodMatter, purpose = "办理食品经营许可变更" })).StatusCode);
    }

    [Fact]
    public async Task SignedDocument_ChecksOffline_AndTamperingOrRevocationMakesItInvalid()
    {
        using var w = await SetUpAsync();
        var document = await (await w.Issuer.GetAsync($"/api/licenses/{w.LicenseId}/document")).ReadJson();
        using var anonymous = fixture.Anonymous();
        var ok = await (await anonymous.PostAsJsonAsync("/api/verifications/document", document)).ReadJson();
        Assert.True(ok.GetProperty("valid").GetBoolean(), ok.ToString());

        // After the issuer's key is rotated, a document signed with the old key still verifies.
        using (var admin = await fixture.AsAdminAsync())
        {
            (await admin.PostAsync($"/api/units/{Demo.HarbinMarket}/keys/rotate", null)).EnsureSuccessStatusCode();
        }

        var afterRotation = await (await anonymous.PostAsJsonAsync("/api/verifications/document", document)).ReadJson();
        Assert.True(afterRotation.GetProperty("valid").GetBoolean(), afterRotation.ToString());

        var canonical = document.GetProperty("canonical").GetString()!;
        var tampered = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(document.GetRawText())!;
        tampered["canonical"] = JsonSerializer.SerializeToElement(canonical.Replace("哈尔滨示例餐饮有限公司", "哈尔滨假冒餐饮有限公司", StringComparison.Ordinal));
        var bad = await (await anonymous.PostAsJsonAsync("/api/verifications/document", tampered)).ReadJson();
        Assert.False(bad.GetProperty("valid").GetBoolean());
        Assert.Contains("signature-invalid", bad.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()));

        await w.Issuer.PostAsJsonAsync($"/api/licenses/{w.LicenseId}/events", new { type = "revoke", reason = "吊销" });
        var revoked = await (await anonymous.PostAsJsonAsync("/api/verifications/document", document)).ReadJson();
        Assert.False(revoked.GetProperty("valid").GetBoolean());
        Assert.Contains("revoked", revoked.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()));
    }

    [Fact]
    public async Task PublicQuery_PublicFieldsOfPublicTypesOnly()
    {
        using var w = await SetUpAsync();
        using var anonymous = fixture.Anonymous();
        var pub = await (await anonymous.GetAsync($"/api/public/licenses/{w.LicenseId}")).ReadJson();
        var fields = pub.GetProperty("fields");
        Assert.True(fields.TryGetProperty("operatorName", out _));
        Assert.False(fields.TryGetProperty("address", out _));
        await ProblemAssert.IsProblem(await anonymous.GetAsync("/api/public/licenses/1.2.156.not-an-id"), HttpStatusCode.BadRequest, "id");

        // A non-public type: 404 even though the licence exists.
        using var admin = await fixture.AsAdminAsync();
        const string secretType = "11230000000000019J005";
        var body = JsonSerializer.Deserialize<Dictionary<string, object>>(JsonSerializer.Serialize(Demo.FoodTypeBody("内部许可证")))!;
        body["publicDisclosure"] = false;
        body["publicFields"] = Array.Empty<string>();
        body["multipleInstances"] = true;
        (await admin.PutAsJsonAsync($"/api/catalog/types/{secretType}", body)).EnsureSuccessStatusCode();
        (await admin.PutAsJsonAsync($"/api/units/{Demo.HarbinMarket}", Demo.Unit("哈尔滨市市场监督管理局", "230100", "city", Demo.ProvinceMarket,
            [Demo.FoodType, secretType], [Demo.FoodScope()]))).EnsureSuccessStatusCode();
        var issue = JsonSerializer.Deserialize<Dictionary<string, object>>(JsonSerializer.Serialize(LicenseApiTests.IssueBody(LicenseApiTests.NewCompany())))!;
        issue["typeCode"] = secretType;
        var internalLicense = await (await w.Issuer.PostAsJsonAsync("/api/licenses", issue)).ReadJson();
        await ProblemAssert.IsProblem(await anonymous.GetAsync($"/api/public/licenses/{internalLicense.GetProperty("id").GetString()}"), HttpStatusCode.NotFound);
    }

    private static async Task<List<string?>> Reasons(VerificationWorld w, string id)
    {
        using var response = await Verify(w.InScopeHall, new { licenseId = id, holder = new { idType = "001", idNumber = w.HolderCode }, matterCode = Demo.FoodMatter, purpose = "x" });
        var body = await response.ReadJson();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var reasons = body.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()).ToList();
        Assert.Equal(reasons.Count == 0, body.GetProperty("valid").GetBoolean());
        return reasons;
    }
}
