using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;
using OrleansLicenses.Identifiers;
using OrleansLicenses.Signing;
using OrleansLicenses.Tests.Catalog;
using OrleansLicenses.Tests.Infrastructure;

namespace OrleansLicenses.Tests.Licenses;

[Collection(ApiCollection.Name)]
public sealed class LicenseApiTests(ApiFixture fixture)
{
    private static int counter;

    /// <summary>Where this process's holder codes start; they count up from it, so no two collide.</summary>
    private static readonly int CompanyBase = Random.Shared.Next(0, 100_000_000);

    /// <summary>A fresh organisation holder with a valid credit code, distinct within the test run.</summary>
    internal static string NewCompany() =>
        TestCodes.CreditCode('9', '1', "230102", ((CompanyBase + (long)Interlocked.Increment(ref counter)) % 100_000_000).ToString("D8", System.Globalization.CultureInfo.InvariantCulture));

    internal static object IssueBody(string holder, string? serial = null, string operatorName = "哈尔滨示例餐饮有限公司") => new
    {
        typeCode = Demo.FoodType,
        holder = new { idType = "001", idNumber = holder, name = operatorName },
        fields = new { operatorName, address = "哈尔滨市南岗区示例路1号", category = "餐饮服务经营者" },
        validFrom = TestCalendar.Iso(),
        serial,
    };

    private async Task<HttpClient> IssuerAsync(string unit = Demo.HarbinMarket)
    {
        using var admin = await fixture.AsAdminAsync();
        await Demo.SeedAsync(admin);
        var (id, secret) = await fixture.RegisterClientAsync("issuer", unit);
        return await fixture.AsClientAsync(id, secret);
    }

    [Fact]
    public async Task FullLifecycle_IssueReadChangeSuspendReinstateRevoke_AndReinstateAfterRevokeIs409()
    {
        using var issuer = await IssuerAsync();
        using var issued = await issuer.PostAsJsonAsync("/api/licenses", IssueBody(NewCompany()));
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        var license = await issued.ReadJson();
        var id = license.GetProperty("id").GetString()!;
        Assert.True(LicenseIdentifier.TryParse(id, out var parsed, out var error), error);
        Assert.Equal("001", parsed.Version);
        Assert.Equal("valid", license.GetProperty("status").GetString());
        Assert.Equal("01", license.GetProperty("statusCode").GetString());
        Assert.Equal(TestCalendar.Today.AddYears(5).AddDays(-1), DateOnly.Parse(license.GetProperty("validUntil").GetString()!, System.Globalization.CultureInfo.InvariantCulture)); // 5 years, last day inclusive
        Assert.Equal("SM2-SM3", license.GetProperty("signature").GetProperty("algorithm").GetString());

        var read = await (await issuer.GetAsync($"/api/licenses/{id}")).ReadJson();
        Assert.Equal(id, read.GetProperty("id").GetString());

        using var changed = await issuer.PostAsJsonAsync($"/api/licenses/{id}/changes", new
        {
            fields = new { operatorName = "哈尔滨示例餐饮有限公司", address = "哈尔滨市道里区新址路8号", category = "餐饮服务经营者" },
            reason = "经营场所变更",
        });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var v2 = await changed.ReadJson();
        var id2 = v2.GetProperty("id").GetString()!;
        Assert.Equal("002", v2.GetProperty("version").GetString());
        Assert.True(LicenseIdentifier.TryParse(id2, out _, out var error2), error2);

        var old = await (await issuer.GetAsync($"/api/licenses/{id}")).ReadJson();
        Assert.False(old.GetProperty("current").GetBoolean());
        Assert.Equal(id2, old.GetProperty("supersededBy").GetString());
        Assert.Contains("superseded", old.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()));

        await Event(issuer, id2, new { type = "suspend", reason = "责令停业整顿", until = TestCalendar.Iso(60) }, HttpStatusCode.OK, "suspended");
        await Event(issuer, id2, new { type = "reinstate", reason = "整改完成" }, HttpStatusCode.OK, "valid");
        await Event(issuer, id2, new { type = "revoke", reason = "严重违法" }, HttpStatusCode.OK, "revoked");
        using var rejected = await issuer.PostAsJsonAsync($"/api/licenses/{id2}/events", new { type = "reinstate", reason = "x" });
        var problem = await ProblemAssert.IsProblem(rejected, HttpStatusCode.Conflict);
        Assert.Equal("license.invalid_transition", problem.GetProperty("code").GetString());

        var history = (await (await issuer.GetAsync($"/api/licenses/{id2}/history")).ReadJson()).EnumerateArray().ToList();
        Assert.Equal(["issue", "change", "suspend", "reinstate", "revoke"], history.Select(h => h.GetProperty("action").GetString()));
        Assert.Equal("责令停业整顿", history[2].GetProperty("reason").GetString());
        Assert.All(history, h => Assert.False(string.IsNullOrEmpty(h.GetProperty("actor").GetString())));
    }

    [Fact]
    public async Task Change_IsAMergePatch_OnlyTheChangedElementIsSent_AndNullRemovesAnOptionalOne()
    {
        using var issuer = await IssuerAsync();
        var id = (await (await issuer.PostAsJsonAsync("/api/licenses", IssueBody(NewCompany()))).ReadJson()).GetProperty("id").GetString()!;

        using var moved = await issuer.PostAsJsonAsync($"/api/licenses/{id}/changes", new { fields = new { address = "哈尔滨市道里区新址路8号" }, reason = "经营场所变更" });
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        var v2 = await moved.ReadJson();
        var face = v2.GetProperty("fields");
        Assert.Equal(("哈尔滨示例餐饮有限公司", "哈尔滨市道里区新址路8号", "餐饮服务经营者"),
            (face.GetProperty("operatorName").GetString(), face.GetProperty("address").GetString(), face.GetProperty("category").GetString()));

        using var content = new StringContent("""{"fields":{"category":null},"reason":"主体业态另行核定"}""", Encoding.UTF8, "application/json");
        using var cleared = await issuer.PostAsync($"/api/licenses/{v2.GetProperty("id").GetString()}/changes", content);
        Assert.Equal(HttpStatusCode.OK, cleared.StatusCode);
        var v3 = await cleared.ReadJson();
        Assert.Equal("003", v3.GetProperty("version").GetString());
        Assert.False(v3.GetProperty("fields").TryGetProperty("category", out _));
        Assert.Equal("哈尔滨市道里区新址路8号", v3.GetProperty("fields").GetProperty("address").GetString());

        // Removing a required element is the grain's 400 naming it; nothing is written.
        using var broken = new StringContent("""{"fields":{"address":null},"reason":"x"}""", Encoding.UTF8, "application/json");
        var problem = await ProblemAssert.IsProblem(await issuer.PostAsync($"/api/licenses/{v3.GetProperty("id").GetString()}/changes", broken), HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("fields.address", out _));
        Assert.Equal("003", (await (await issuer.GetAsync($"/api/licenses/{v3.GetProperty("id").GetString()}")).ReadJson()).GetProperty("version").GetString());
    }

    [Fact]
    public async Task Signature_VerifiesWithOpenSsl_OverTheCanonicalForm_AndAnyFlippedByteFails()
    {
        using var issuer = await IssuerAsync();
        var license = await (await issuer.PostAsJsonAsync("/api/licenses", IssueBody(NewCompany()))).ReadJson();
        var document = await (await issuer.GetAsync($"/api/licenses/{license.GetProperty("id").GetString()}/document")).ReadJson();
        var canonical = Encoding.UTF8.GetBytes(document.GetProperty("canonical").GetString()!);
        var signature = Convert.FromBase64String(document.GetProperty("signature").GetString()!);
        var certificate = Convert.FromBase64String(document.GetProperty("certificate").GetString()!);
        var root = Convert.FromBase64String(document.GetProperty("rootCertificate").GetString()!);

        // The canonical form is RFC 8785: canonicalizing it again changes nothing.
        Assert.Equal(canonical, JsonCanonicalizer.Canonicalize(canonical));
        Assert.Equal(CertificateChainStatus.Valid, CertificateAuthority.VerifyChain(certificate, root, fixture.Clock.GetUtcNow()));

        var dir = Directory.CreateTempSubdirectory("ol-doc-");
        try
        {
            var pem = Path.Combine(dir.FullName, "unit.pem");
            await File.WriteAllTextAsync(pem, $"-----BEGIN CERTIFICATE-----\n{Convert.ToBase64String(certificate, Base64FormattingOptions.InsertLineBreaks)}\n-----END CERTIFICATE-----\n");
            var pub = Path.Combine(dir.FullName, "unit-pub.pem");
            Assert.Equal(0, (await CatalogAndUnitsTests.OpenSsl("x509", "-in", pem, "-noout", "-pubkey", "-out", pub)).Code);
            var sig = Path.Combine(dir.FullName, "sig.der");
            await File.WriteAllBytesAsync(sig, signature);
            var msg = Path.Combine(dir.FullName, "doc.json");
            await File.WriteAllBytesAsync(msg, canonical);
            var ok = await CatalogAndUnitsTests.OpenSsl("dgst", "-sm3", "-verify", pub, "-sigopt", "distid:1234567812345678", "-signature", sig, msg);
            Assert.True(ok.Code == 0, ok.Output);

            foreach (var position in new[] { 0, canonical.Length / 2, canonical.Length - 1 })
            {
                var tampered = (byte[])canonical.Clone();
                tampered[position] ^= 0x01;
                await File.WriteAllBytesAsync(msg, tampered);
                var bad = await CatalogAndUnitsTests.OpenSsl("dgst", "-sm3", "-verify", pub, "-sigopt", "distid:1234567812345678", "-signature", sig, msg);
                Assert.NotEqual(0, bad.Code);
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }

        var key = UnitCertificateInfo.Parse(certificate).PublicKey;
        Assert.True(Sm2Signer.Verify(key, canonical, signature));
        for (var i = 0; i < canonical.Length; i++)
        {
            var tampered = (byte[])canonical.Clone();
            tampered[i] ^= 0x20;
            Assert.False(Sm2Signer.Verify(key, tampered, signature), $"flipping byte {i} still verified");
        }
    }

    [Fact]
    public async Task ConcurrentIssuance_With50DuplicatedKeys_Gives150Licences_AndReplaysEqualOriginals()
    {
        using var issuer = await IssuerAsync();
        var bodies = Enumerable.Range(0, 150).Select(_ => JsonSerializer.Serialize(IssueBody(NewCompany()))).ToList();
        var keys = Enumerable.Range(0, 150).Select(_ => Guid.NewGuid().ToString("N")).ToList();
        var requests = Enumerable.Range(0, 150).Select(i => (keys[i], bodies[i]))
            .Concat(Enumerable.Range(0, 50).Select(i => (keys[i], bodies[i]))).ToList();

        var results = new ConcurrentBag<(string Key, HttpStatusCode Status, string Body, bool Replayed)>();
        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (r, _) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/licenses") { Content = new StringContent(r.Item2, Encoding.UTF8, "application/json") };
            request.Headers.Add("Idempotency-Key", r.Item1);
            using var response = await issuer.SendAsync(request);
            results.Add((r.Item1, response.StatusCode, await response.Content.ReadAsStringAsync(), response.Headers.Contains("Idempotent-Replayed")));
        });

        Assert.All(results, r => Assert.True(r.Status is HttpStatusCode.Created or HttpStatusCode.Conflict, $"{r.Status}: {r.Body}"));
        var created = results.Where(r => r.Status == HttpStatusCode.Created && !r.Replayed).ToList();
        Assert.Equal(150, created.Select(r => r.Key).Distinct().Count());
        Assert.Equal(150, created.Count);
        foreach (var replay in results.Where(r => r.Replayed))
        {
            var original = created.Single(c => c.Key == replay.Key);
            Assert.Equal(original.Body, replay.Body);
        }

        // Replaying now (nothing in flight any more) returns the first result for every duplicated key.
        for (var i = 0; i < 5; i++)
        {
            using var again = new HttpRequestMessage(HttpMethod.Post, "/api/licenses") { Content = new StringContent(bodies[i], Encoding.UTF8, "application/json") };
            again.Headers.Add("Idempotency-Key", keys[i]);
            using var response = await issuer.SendAsync(again);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            Assert.Equal(created.Single(c => c.Key == keys[i]).Body, await response.Content.ReadAsStringAsync());
        }

        var ids = created.Select(c => JsonDocument.Parse(c.Body).RootElement.GetProperty("licenseNumber").GetString()!).ToArray();
        Assert.Equal(150L, await CountLicenses(ids));
    }

    [Fact]
    public async Task SameIdempotencyKey_WithAnotherBody_Is422()
    {
        using var issuer = await IssuerAsync();
        var key = Guid.NewGuid().ToString("N");
        using var first = new HttpRequestMessage(HttpMethod.Post, "/api/licenses") { Content = JsonContent.Create(IssueBody(NewCompany())) };
        first.Headers.Add("Idempotency-Key", key);
        Assert.Equal(HttpStatusCode.Created, (await issuer.SendAsync(first)).StatusCode);
        using var second = new HttpRequestMessage(HttpMethod.Post, "/api/licenses") { Content = JsonContent.Create(IssueBody(NewCompany())) };
        second.Headers.Add("Idempotency-Key", key);
        await ProblemAssert.IsProblem(await issuer.SendAsync(second), HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task SingleInstanceConflict_NeverNamesAnotherUnitsLicence()
    {
        using var harbin = await IssuerAsync();
        using var province = await IssuerAsync(Demo.ProvinceMarket);
        var holder = NewCompany();
        var first = await (await harbin.PostAsJsonAsync("/api/licenses", IssueBody(holder))).ReadJson();
        var problem = await ProblemAssert.IsProblem(await province.PostAsJsonAsync("/api/licenses", IssueBody(holder)), HttpStatusCode.Conflict);
        Assert.Equal("license.holder_has_live_license", problem.GetProperty("code").GetString());
        Assert.True(LicenseIdentifier.TryParse(first.GetProperty("id").GetString()!, out var firstId, out _));
        Assert.DoesNotContain(firstId.Number, problem.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain(Demo.HarbinMarket, problem.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SingleInstanceType_SecondLiveLicenceForTheHolder_Is409PointingAtTheFirst()
    {
        using var issuer = await IssuerAsync();
        var holder = NewCompany();
        var first = await (await issuer.PostAsJsonAsync("/api/licenses", IssueBody(holder))).ReadJson();
        using var second = await issuer.PostAsJsonAsync("/api/licenses", IssueBody(holder));
        var problem = await ProblemAssert.IsProblem(second, HttpStatusCode.Conflict);
        Assert.Equal("license.holder_has_live_license", problem.GetProperty("code").GetString());
        Assert.Contains(first.GetProperty("id").GetString()!, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // Once the first is cancelled, a new one may be issued.
        await Event(issuer, first.GetProperty("id").GetString()!, new { type = "cancel", reason = "主动注销" }, HttpStatusCode.OK, "cancelled");
        Assert.Equal(HttpStatusCode.Created, (await issuer.PostAsJsonAsync("/api/licenses", IssueBody(holder))).StatusCode);
    }

    public static TheoryData<string, string> BadIssuances => new()
    {
        { """{"typeCode":"11230000000000019J001","holder":{"idType":"001","idNumber":"HOLDER","name":"x"},"fields":{"operatorName":"x","address":"y","category":"餐饮服务经营者","color":"red"},"validFrom":"TODAY"}""", "fields.color" },
        { """{"typeCode":"11230000000000019J001","holder":{"idType":"001","idNumber":"HOLDER","name":"x"},"fields":{"operatorName":"x","category":"餐饮服务经营者"},"validFrom":"TODAY"}""", "fields.address" },
        { """{"typeCode":"11230000000000019J001","holder":{"idType":"001","idNumber":"HOLDER","name":"x"},"fields":{"operatorName":42,"address":"y","category":"餐饮服务经营者"},"validFrom":"TODAY"}""", "fields.operatorName" },
        { """{"typeCode":"11230000000000019J001","holder":{"idType":"001","idNumber":"HOLDER","name":"x"},"fields":{"operatorName":"x","address":"y","category":"酒吧"},"validFrom":"TODAY"}""", "fields.category" },
        { """{"typeCode":"11230000000000019J001","holder":{"idType":"001","idNumber":"HOLDER","name":"x"},"fields":{"operatorName":"LONG","address":"y","category":"餐饮服务经营者"},"validFrom":"TODAY"}""", "fields.operatorName" },
        { """{"typeCode":"11230000000000019J001","holder":{"idType":"001","idNumber":"91230102MA1B2C3D8K","name":"x"},"fields":{"operatorName":"x","address":"y","category":"餐饮服务经营者"},"validFrom":"TODAY"}""", "holder.idNumber" },
        { """{"typeCode":"11230000000000019J001","holder":{"idType":"111","idNumber":"230102199001011234","name":"x"},"fields":{"operatorName":"x","address":"y","category":"餐饮服务经营者"},"validFrom":"TODAY"}""", "holder.idType" },
        { """{"typeCode":"11230000000000019J001","holder":{"idType":"001","idNumber":"HOLDER","name":"x"},"fields":{"operatorName":"x","address":"y","category":"餐饮服务经营者"},"validFrom":"FEB30"}""", "validFrom" },
        { """{"typeCode":"11230000000000019J001","holder":{"idType":"001","idNumber":"HOLDER","name":"x"},"fields":{"operatorName":"x","address":"y","category":"餐饮服务经营者"},"validFrom":"TODAY","serial":"ab_1"}""", "serial" },
        { """{"typeCode":"11230000000000019J009","holder":{"idType":"001","idNumber":"HOLDER","name":"x"},"fields":{"operatorName":"x"},"validFrom":"TODAY"}""", "typeCode" },
    };

    [Theory]
    [MemberData(nameof(BadIssuances))]
    public async Task BadIssuance_Is400NamingTheField_AndPersistsNothing(string template, string field)
    {
        using var issuer = await IssuerAsync();
        var holder = NewCompany();
        var body = template.Replace("HOLDER", holder, StringComparison.Ordinal).Replace("TODAY", TestCalendar.Iso(), StringComparison.Ordinal).Replace("FEB30", $"{TestCalendar.Today.Year}-02-30", StringComparison.Ordinal).Replace("\"LONG\"", $"\"{new string('长', 101)}\"", StringComparison.Ordinal);
        using var response = await issuer.PostAsync("/api/licenses", new StringContent(body, Encoding.UTF8, "application/json"));
        await ProblemAssert.IsProblem(response, HttpStatusCode.BadRequest, field);
        Assert.Equal(0L, await Scalar("SELECT count(*) FROM licenses WHERE holder_id_number = $1", holder));
        Assert.Equal(0L, await Scalar("SELECT count(*) FROM orleansstorage WHERE convert_from(payloadbinary, 'UTF8') LIKE '%' || $1 || '%'", holder));
        Assert.Equal(0L, await Scalar("SELECT count(*) FROM grain_states WHERE grain_key = $1 OR state::text LIKE '%' || $1 || '%'", holder));
    }

    [Fact]
    public async Task BadIssuance_NamesEveryBadFieldAtOnce_FromTheLicenceGrain()
    {
        using var issuer = await IssuerAsync();
        var holder = NewCompany();
        var wrongCheck = holder[..^1] + (holder[^1] == '0' ? '1' : '0');
        var body = new
        {
            typeCode = Demo.FoodType,
            holder = new { idType = "001", idNumber = wrongCheck, name = "" },
            fields = new { operatorName = "x", category = "酒吧" },
            validFrom = TestCalendar.Iso(),
            validUntil = TestCalendar.Iso(-1),
        };
        using var response = await issuer.PostAsJsonAsync("/api/licenses", body);
        var problem = await ProblemAssert.IsProblem(response, HttpStatusCode.BadRequest);
        // Rules are the grain's (its code, not the edge's request.invalid), and it names every broken one.
        Assert.Equal("license.invalid_request", problem.GetProperty("code").GetString());
        var errors = problem.GetProperty("errors");
        foreach (var field in new[] { "holder.idNumber", "holder.name", "fields.address", "fields.category", "validUntil" })
        {
            Assert.True(errors.TryGetProperty(field, out _), $"{field} not named in {errors}");
        }

        Assert.Equal(0L, await Scalar("SELECT count(*) FROM licenses WHERE holder_id_number = $1", wrongCheck));
    }

    [Fact]
    public async Task BadShape_IsTheEdgesValidationProblem_WithItsCode()
    {
        using var issuer = await IssuerAsync();
        var body = new { typeCode = "nope", holder = new { idType = "001", idNumber = NewCompany(), name = "x" }, fields = new { }, validFrom = "tomorrow" };
        var problem = await ProblemAssert.IsProblem(await issuer.PostAsJsonAsync("/api/licenses", body), HttpStatusCode.BadRequest);
        Assert.Equal("request.invalid", problem.GetProperty("code").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty("typeCode", out _));
        Assert.True(problem.GetProperty("errors").TryGetProperty("validFrom", out _));
    }

    [Fact]
    public async Task BadEvent_NamesEveryBadFieldAtOnce()
    {
        using var issuer = await IssuerAsync();
        var id = (await (await issuer.PostAsJsonAsync("/api/licenses", IssueBody(NewCompany()))).ReadJson()).GetProperty("id").GetString()!;
        using var response = await issuer.PostAsJsonAsync($"/api/licenses/{id}/events",
            new { type = "suspend", reason = "责令停业整顿", until = TestCalendar.Iso(-1), newValidUntil = TestCalendar.Iso(400) });
        var problem = await ProblemAssert.IsProblem(response, HttpStatusCode.BadRequest);
        Assert.Equal("license.invalid_event", problem.GetProperty("code").GetString());
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("until", out _), errors.ToString());
        Assert.True(errors.TryGetProperty("newValidUntil", out _), errors.ToString());
        Assert.Equal("valid", (await (await issuer.GetAsync($"/api/licenses/{id}")).ReadJson()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task OtherUnitsIssuer_CannotReadOrChange_AndSeesTheSameAnswerAsForANonexistentLicence()
    {
        using var issuer = await IssuerAsync();
        var id = (await (await issuer.PostAsJsonAsync("/api/licenses", IssueBody(NewCompany()))).ReadJson()).GetProperty("id").GetString()!;
        using var admin = await fixture.AsAdminAsync();
        await admin.PutAsJsonAsync($"/api/units/{Demo.QiqiharMarket}", Demo.Unit("齐齐哈尔市市场监督管理局", "230200", "city", Demo.ProvinceMarket, [Demo.FoodType]));
        var (otherId, otherSecret) = await fixture.RegisterClientAsync("issuer", Demo.QiqiharMarket);
        using var other = await fixture.AsClientAsync(otherId, otherSecret);

        var missing = LicenseIdentifier.Create(Demo.FoodType, Demo.HarbinMarket, "NOSUCH0001").ToString();
        using var foreign = await other.GetAsync($"/api/licenses/{id}");
        using var none = await other.GetAsync($"/api/licenses/{missing}");
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
        Assert.Equal(Shape(await foreign.ReadJson()), Shape(await none.ReadJson()));
        await ProblemAssert.IsProblem(await other.PostAsJsonAsync($"/api/licenses/{id}/events", new { type = "revoke", reason = "x" }), HttpStatusCode.NotFound);

        var page = await (await other.GetAsync($"/api/licenses?issuer={Demo.HarbinMarket}")).ReadJson();
        Assert.All(page.GetProperty("items").EnumerateArray(), i => Assert.Equal(Demo.QiqiharMarket, i.GetProperty("issuerCode").GetString()));
    }

    [Fact]
    public async Task Search_AndStats_AndAdminInspection_AnswerFromReadModelAndGrains()
    {
        using var issuer = await IssuerAsync();
        var holder = NewCompany();
        var license = await (await issuer.PostAsJsonAsync("/api/licenses", IssueBody(holder))).ReadJson();
        var page = await (await issuer.GetAsync($"/api/licenses?holder=001:{holder}&status=valid")).ReadJson();
        Assert.Equal(1, page.GetProperty("total").GetInt32());
        Assert.Equal(license.GetProperty("id").GetString(), page.GetProperty("items")[0].GetProperty("id").GetString());

        using var admin = await fixture.AsAdminAsync();
        var stats = await (await admin.GetAsync("/api/admin/stats")).ReadJson();
        Assert.True(stats.GetProperty("byIssuer").GetProperty(Demo.HarbinMarket).GetInt64() >= 1);
        var state = await (await admin.GetAsync($"/api/admin/grains/license/{license.GetProperty("id").GetString()}")).ReadJson();
        Assert.Equal(license.GetProperty("id").GetString(), state.GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/api/admin/grains/holder/001:{holder}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/api/admin/grains/unit/{Demo.HarbinMarket}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/api/admin/grains/type/{Demo.FoodType}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await issuer.GetAsync("/api/admin/stats")).StatusCode);
    }

    [Fact]
    public async Task Search_AppliesExpiryAndTheEndOfASuspension_AtQueryTime()
    {
        using var issuer = await IssuerAsync();
        var holder = NewCompany();
        var id = (await (await issuer.PostAsJsonAsync("/api/licenses", IssueBody(holder))).ReadJson()).GetProperty("id").GetString()!;
        var until = TestCalendar.Iso(3);
        await Event(issuer, id, new { type = "suspend", reason = "停业整顿", until }, HttpStatusCode.OK, "suspended");
        Assert.Equal("suspended", await SearchStatus(issuer, holder));

        // Move the stored end of the suspension, then of the validity, into the past: the query applies the clock.
        Assert.Equal(1L, await Scalar("UPDATE licenses SET suspended_until = current_date - 2 WHERE holder_id_number = $1 RETURNING 1", holder));
        Assert.Equal("valid", await SearchStatus(issuer, holder));
        Assert.Equal(1L, await Scalar("UPDATE licenses SET valid_until = current_date - 2 WHERE holder_id_number = $1 RETURNING 1", holder));
        Assert.Equal("expired", await SearchStatus(issuer, holder));
    }

    private static async Task<string?> SearchStatus(HttpClient issuer, string holder) =>
        (await (await issuer.GetAsync($"/api/licenses?holder=001:{holder}")).ReadJson()).GetProperty("items")[0].GetProperty("status").GetString();

    private static string Shape(JsonElement problem) => string.Join(",", problem.EnumerateObject().Select(p => p.Name).Where(n => n != "traceId").Order(StringComparer.Ordinal));

    private static async Task Event(HttpClient issuer, string id, object body, HttpStatusCode expected, string status)
    {
        using var response = await issuer.PostAsJsonAsync($"/api/licenses/{id}/events", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, text);
        Assert.Equal(status, JsonDocument.Parse(text).RootElement.GetProperty("status").GetString());
    }

    private async Task<long> Scalar(string sql, string arg) =>
        Convert.ToInt64(await fixture.ScalarAsync(sql, arg), System.Globalization.CultureInfo.InvariantCulture);

    private async Task<long> CountLicenses(string[] numbers)
    {
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM licenses WHERE license_number = ANY($1)", connection);
        cmd.Parameters.AddWithValue(numbers);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
