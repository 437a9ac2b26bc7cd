using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansLicenses.Identifiers;
using OrleansLicenses.Tests.Infrastructure;
using OrleansLicenses.Tests.Licenses;
using Xunit.Abstractions;

namespace OrleansLicenses.Tests.Security;

/// <summary>
/// Every operation of the OpenAPI document × every kind of caller × own/foreign/nonexistent/malformed object,
/// against the table below. An operation or caller kind without an entry fails the test, so a new endpoint
/// cannot ship without saying who may call it. Foreign and nonexistent objects must be indistinguishable.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class AuthorizationMatrixTests(ApiFixture fixture, ITestOutputHelper output)
{
    private static int missingTypes = 500; // 11230000000000019J501…: no fixture defines types there

    public enum CallerKind { Anonymous, Admin, IssuerA, IssuerB, VerifierInScope, VerifierOutOfScope, HolderX, HolderY, Sync }

    public enum ObjectKind { Own, Foreign, Nonexistent, Malformed }

    private const string QiqiharCentre = "11230200000000035J";
    private const string OtherMatter = "230200-FOOD-001";
    private const string OtherType = "11230000000000019J006";

    /// <summary>One entry per caller kind: a single status, or four ("own foreign nonexistent malformed") for operations with an object.</summary>
    private static Dictionary<CallerKind, string> Row(string anonymous, string admin, string issuerA, string issuerB, string verifierIn,
        string verifierOut, string holderX, string holderY, string sync) => new()
    {
        [CallerKind.Anonymous] = anonymous, [CallerKind.Admin] = admin, [CallerKind.IssuerA] = issuerA, [CallerKind.IssuerB] = issuerB,
        [CallerKind.VerifierInScope] = verifierIn, [CallerKind.VerifierOutOfScope] = verifierOut,
        [CallerKind.HolderX] = holderX, [CallerKind.HolderY] = holderY, [CallerKind.Sync] = sync,
    };

    private const string F = "403", U = "401", F4 = "403 403 403 403", U4 = "401 401 401 401";

    public static readonly Dictionary<string, Dictionary<CallerKind, string>> Expected = new()
    {
        ["POST /api/auth/token"] = Row("401", "401", "401", "401", "401", "401", "401", "401", "401"),
        ["POST /api/clients"] = Row(U, "201", F, F, F, F, F, F, F),
        ["GET /api/clients/{clientId}"] = Row(U4, "200 200 404 404", F4, F4, F4, F4, F4, F4, F4),
        // Revocation (issue 13) acts on clients of its own (World.Revocable), so no caller of the table loses its token.
        ["POST /api/clients/{clientId}/disable"] = Row(U4, "200 200 404 404", F4, F4, F4, F4, F4, F4, F4),
        ["POST /api/clients/{clientId}/secret"] = Row(U4, "200 200 404 404", F4, F4, F4, F4, F4, F4, F4),
        ["POST /api/clients/{clientId}/enable"] = Row(U4, "200 200 404 404", F4, F4, F4, F4, F4, F4, F4),
        ["PUT /api/catalog/types/{typeCode}"] = Row(U4, "200 200 200 400", F4, F4, F4, F4, F4, F4, F4),
        ["GET /api/catalog/types"] = Row(U, "200", "200", "200", "200", "200", "200", "200", "200"),
        ["GET /api/catalog/types/{typeCode}"] = Row(U4, "200 200 404 400", "200 200 404 400", "200 200 404 400", "200 200 404 400",
            "200 200 404 400", "200 200 404 400", "200 200 404 400", "200 200 404 400"),
        ["PUT /api/catalog/types/{typeCode}/files/{kind}"] = Row(U4, "200 200 404 400", F4, F4, F4, F4, F4, F4, F4),
        ["GET /api/catalog/types/{typeCode}/files/{kind}"] = Row(U4, "200 404 404 400", "200 404 404 400", "200 404 404 400", "200 404 404 400",
            "200 404 404 400", "200 404 404 400", "200 404 404 400", "200 404 404 400"),
        ["PUT /api/units/{unitCode}"] = Row(U4, "200 200 200 400", F4, F4, F4, F4, F4, F4, F4),
        ["GET /api/units/{unitCode}"] = Row(U4, "200 200 404 400", F4, F4, F4, F4, F4, F4, F4),
        ["POST /api/units/{unitCode}/keys/rotate"] = Row(U4, "200 200 404 400", F4, F4, F4, F4, F4, F4, F4),
        ["GET /api/public/keys"] = Row("200", "200", "200", "200", "200", "200", "200", "200", "200"),
        ["POST /api/licenses"] = Row(U, F, "201", "201", F, F, F, F, F),
        ["POST /api/licenses/{id}/changes"] = Row(U4, F4, "200 404 404 400", "200 404 404 400", F4, F4, F4, F4, F4),
        ["POST /api/licenses/{id}/events"] = Row(U4, F4, "200 404 404 400", "200 404 404 400", F4, F4, F4, F4, F4),
        ["GET /api/licenses/{id}"] = Row(U4, "200 200 404 400", "200 404 404 400", "200 404 404 400", F4, F4, F4, F4, F4),
        ["GET /api/licenses/{id}/history"] = Row(U4, "200 200 404 400", "200 404 404 400", "200 404 404 400", F4, F4,
            "200 404 404 400", "200 404 404 400", F4),
        // Verifiers state an authorization (both sides' holders granted one to the out-of-scope hall only).
        ["GET /api/licenses/{id}/document"] = Row(U4, "200 200 404 400", "200 404 404 400", "200 404 404 400", "404 404 404 400",
            "200 200 404 400", "200 404 404 400", "200 404 404 400", F4),
        ["GET /api/licenses"] = Row(U, "200", "200", "200", F, F, F, F, F),
        // Imports belong to the issuing unit that uploaded them: another's, none and a malformed id answer alike.
        ["POST /api/imports"] = Row(U, F, "202", "202", F, F, F, F, F),
        ["GET /api/imports/{id}"] = Row(U4, F4, "200 404 404 404", "200 404 404 404", F4, F4, F4, F4, F4),
        ["GET /api/admin/grains/{kind}/{key}"] = Row(U4, "200 200 404 400", F4, F4, F4, F4, F4, F4, F4),
        ["GET /api/admin/stats"] = Row(U, "200", F, F, F, F, F, F, F),
        ["GET /api/admin/audit"] = Row(U, "200", F, F, F, F, F, F, F),
        ["GET /api/admin/audit/verify"] = Row(U, "200", F, F, F, F, F, F, F),
        ["GET /api/admin/audit/denials"] = Row(U, "200", F, F, F, F, F, F, F),
        ["POST /api/admin/audit/checkpoints"] = Row(U, "200", F, F, F, F, F, F, F),
        ["POST /api/verifications"] = Row(U, F, F, F, "200", "404", F, F, F),
        ["GET /api/verifications/matters"] = Row(U, F, F, F, "200", "200", F, F, F),
        ["GET /api/verifications/{verificationId}"] = Row(U4, F4, F4, F4, "200 404 404 404", "200 404 404 404", F4, F4, F4),
        ["GET /api/verifications/{verificationId}/copy"] = Row(U4, F4, F4, F4, "200 404 404 404", "200 404 404 404", F4, F4, F4),
        ["POST /api/verifications/holder-licenses"] = Row(U, F, F, F, "200", "404", F, F, F),
        ["POST /api/verifications/document"] = Row("200", "200", "200", "200", "200", "200", "200", "200", "200"),
        ["GET /api/me/licenses"] = Row(U, F, F, F, F, F, "200", "200", F),
        ["GET /api/me/licenses/{id}"] = Row(U4, F4, F4, F4, F4, F4, "200 404 404 400", "200 404 404 400", F4),
        ["POST /api/me/licenses/{id}/presentations"] = Row(U4, F4, F4, F4, F4, F4, "201 404 404 400", "201 404 404 400", F4),
        ["GET /api/me/usage"] = Row(U, F, F, F, F, F, "200", "200", F),
        ["POST /api/me/authorizations"] = Row(U, F, F, F, F, F, "201", "201", F),
        ["GET /api/me/authorizations"] = Row(U, F, F, F, F, F, "200", "200", F),
        ["DELETE /api/me/authorizations/{authorizationId}"] = Row(U4, F4, F4, F4, F4, F4, "204 404 404 404", "204 404 404 404", F4),
        ["GET /api/public/licenses/{id}"] = Row("200 200 404 400", "200 200 404 400", "200 200 404 400", "200 200 404 400", "200 200 404 400",
            "200 200 404 400", "200 200 404 400", "200 200 404 400", "200 200 404 400"),
        // Correction requests (issue 12). Each state-changing operation has its own requests (one per side), so the
        // order in which operations run does not matter; the first caller that may act succeeds, later ones see 409.
        ["POST /api/corrections"] = Row(U, F, F, F, "201", "201", "201", "201", F),
        ["GET /api/corrections"] = Row(U, "200", "200", "200", "200", "200", "200", "200", F),
        ["GET /api/corrections/{correctionId}"] = Row(U4, "200 200 404 400", "200 404 404 400", "200 404 404 400", "404 404 404 400",
            "404 404 404 400", "200 404 404 400", "200 404 404 400", F4),
        ["POST /api/corrections/{correctionId}/resolve"] = Row(U4, "409 409 404 400", "200 404 404 400", "200 404 404 400", F4, F4, F4, F4, F4),
        ["POST /api/corrections/{correctionId}/forward"] = Row(U4, F4, "200 404 404 400", "200 404 404 400", F4, F4, F4, F4, F4),
        ["POST /api/corrections/{correctionId}/close"] = Row(U4, F4, "200 404 404 400", "200 404 404 400", F4, F4, F4, F4, F4),
        ["GET /api/me/notifications"] = Row(U, F, F, F, F, F, "200", "200", F),
        ["GET /api/admin/notifications"] = Row(U, "200", F, F, F, F, F, F, F),
        ["GET /api/units/{unitCode}/notifications"] = Row(U4, "200 200 404 400", "200 404 404 400", "200 404 404 400", "404 404 404 400",
            "404 404 404 400", F4, F4, F4),
        ["PUT /api/units/{unitCode}/webhook"] = Row(U4, "200 200 404 400", "200 404 404 400", "200 404 404 400", "404 404 404 400",
            "404 404 404 400", F4, F4, F4),
        ["GET /api/units/{unitCode}/webhook"] = Row(U4, "200 200 404 400", "200 404 404 400", "200 404 404 400", "404 404 404 400",
            "404 404 404 400", F4, F4, F4),
        ["DELETE /api/units/{unitCode}/webhook"] = Row(U4, "204 204 404 400", "204 404 404 400", "204 404 404 400", "404 404 404 400",
            "404 404 404 400", F4, F4, F4),
        ["GET /api/units/{unitCode}/webhook/deliveries"] = Row(U4, "200 200 404 400", "200 404 404 400", "200 404 404 400", "404 404 404 400",
            "404 404 404 400", F4, F4, F4),
        ["GET /api/corrections/{correctionId}/evidence"] = Row(U4, "200 200 404 400", "200 404 404 400", "200 404 404 400", "404 404 404 400",
            "404 404 404 400", "200 404 404 400", "200 404 404 400", F4),
        // Aggregation (issue 11): a sync client pushes (an empty batch here) and reads digests; an administrator reads digests.
        ["POST /api/sync/batches"] = Row(U, F, F, F, F, F, F, F, "200"),
        ["GET /api/sync/digest"] = Row(U, "200", F, F, F, F, F, F, "200"),
        ["POST /api/notifications/{notificationId}/read"] = Row(U4, "204 204 404 400", "204 404 404 400", "204 404 404 400", "404 404 404 400",
            "404 404 404 400", "204 404 404 400", "204 404 404 400", F4),
    };

    private sealed class World
    {
        public Dictionary<CallerKind, HttpClient> Clients { get; } = [];
        public Dictionary<bool, string> License { get; } = [];

        /// <summary>An import id per side (issuer A's, issuer B's).</summary>
        public Dictionary<bool, string> Imports { get; } = [];
        public Dictionary<bool, string> Holder { get; } = [];
        public Dictionary<bool, string> Verification { get; } = [];
        public Dictionary<bool, string> Authorization { get; } = [];
        public Dictionary<bool, string> ClientId { get; } = [];

        /// <summary>Clients registered only to be disabled, have their secret rotated or (disabled first) be enabled again, per operation ("disable", "secret", "enable") and side.</summary>
        public Dictionary<(string Operation, bool Side), string> Revocable { get; } = [];
        public JsonElement Document { get; set; }

        /// <summary>Correction requests per operation ("read", "resolve", "forward", "close") and side.</summary>
        public Dictionary<(string Operation, bool Side), string> Corrections { get; } = [];

        /// <summary>A notification id per recipient (<c>operator</c> per side, <c>unit:</c>, <c>holder:</c>).</summary>
        public Dictionary<string, string> Notices { get; } = new(StringComparer.Ordinal);
    }

    [Fact]
    public async Task EveryOperation_EveryCaller_EveryObject_MatchesTheTable()
    {
        var world = await SetUpAsync();
        var (operations, _) = await OpenApiOperation.LoadAsync(world.Clients[CallerKind.Anonymous]);
        var keys = operations.Select(o => o.Key).Where(k => !k.Contains("/dashboard", StringComparison.Ordinal)).ToHashSet();
        Assert.Empty(keys.Except(Expected.Keys));   // every operation has an entry
        Assert.Empty(Expected.Keys.Except(keys));   // and no entry outlives its operation
        var deviations = new List<string>();
        foreach (var op in operations.Where(o => keys.Contains(o.Key)))
        {
            var row = Expected[op.Key];
            Assert.Equal(Enum.GetValues<CallerKind>().Length, row.Count);
            foreach (var caller in Enum.GetValues<CallerKind>())
            {
                var expected = row[caller].Split(' ');
                var objects = op.PathParameters.Count == 0 ? [ObjectKind.Own] : Enum.GetValues<ObjectKind>();
                Assert.Equal(objects.Length, expected.Length);
                var bodies = new Dictionary<ObjectKind, (int Status, string Shape)>();
                foreach (var (obj, i) in objects.Select((o, i) => (o, i)))
                {
                    using var request = Build(op, caller, obj, world);
                    using var response = await world.Clients[caller].SendAsync(request);
                    var text = await response.Content.ReadAsStringAsync();
                    bodies[obj] = ((int)response.StatusCode, Shape(text));
                    if (((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture) != expected[i])
                    {
                        deviations.Add($"{op.Key} as {caller} on {obj}: expected {expected[i]}, got {(int)response.StatusCode} {text[..Math.Min(200, text.Length)]}");
                    }
                }

                if (bodies.TryGetValue(ObjectKind.Foreign, out var foreign) && foreign.Status == 404
                    && bodies[ObjectKind.Nonexistent] != foreign)
                {
                    deviations.Add($"{op.Key} as {caller}: foreign and nonexistent objects are distinguishable");
                }
            }
        }

        output.WriteLine($"{operations.Count} operations checked");
        Assert.True(deviations.Count == 0, $"{deviations.Count} deviations:\n{string.Join('\n', deviations.Take(30))}");
    }

    private static string Shape(string body)
    {
        try
        {
            var root = JsonDocument.Parse(body).RootElement;
            return root.ValueKind == JsonValueKind.Object
                ? string.Join(',', root.EnumerateObject().Select(p => p.Name).Where(n => n != "traceId").Order(StringComparer.Ordinal))
                    + "|" + (root.TryGetProperty("title", out var t) ? t.GetString() : "")
                : root.ValueKind.ToString();
        }
        catch (JsonException)
        {
            return "text";
        }
    }

    private async Task<World> SetUpAsync()
    {
        var w = new World();
        var admin = await fixture.AsAdminAsync();
        await Demo.SeedAsync(admin);
        await Put(admin, $"/api/catalog/types/{OtherType}", Demo.FoodTypeBody("其他许可证"));
        await Put(admin, $"/api/units/{Demo.ProvinceData}", Demo.Unit("电子证照库运营", "230000", "province", null));
        await Put(admin, $"/api/units/{Demo.QiqiharMarket}", Demo.Unit("齐齐哈尔市市场监督管理局", "230200", "city", Demo.ProvinceMarket, [Demo.FoodType]));
        await Put(admin, $"/api/units/{QiqiharCentre}", Demo.Unit("齐齐哈尔市政务服务中心", "230200", "city", Demo.ProvinceData, null,
            [new { matterCode = OtherMatter, matterName = "食品经营许可变更", licenseTypes = new[] { Demo.FoodType } }]));
        using (var seal = new ByteArrayContent([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0]))
        {
            seal.Headers.ContentType = new("image/png");
            (await admin.PutAsync($"/api/catalog/types/{Demo.FoodType}/files/seal", seal)).EnsureSuccessStatusCode();
        }

        async Task<HttpClient> Client(string role, string? unit, string? region, bool side)
        {
            var (id, secret) = await fixture.RegisterClientAsync(role, unit, region);
            if (role == "issuer")
            {
                w.ClientId[side] = id;
            }

            return await fixture.AsClientAsync(id, secret);
        }

        w.Clients[CallerKind.Anonymous] = fixture.Anonymous();
        w.Clients[CallerKind.Admin] = admin;
        w.Clients[CallerKind.IssuerA] = await Client("issuer", Demo.HarbinMarket, null, true);
        w.Clients[CallerKind.IssuerB] = await Client("issuer", Demo.QiqiharMarket, null, false);
        w.Clients[CallerKind.VerifierInScope] = await Client("verifier", Demo.HarbinCentre, null, true);
        w.Clients[CallerKind.VerifierOutOfScope] = await Client("verifier", QiqiharCentre, null, false);
        w.Clients[CallerKind.Sync] = await Client("sync", null, "230100", true);
        foreach (var operation in new[] { "disable", "secret", "enable" })
        {
            foreach (var side in new[] { true, false })
            {
                var id = (await fixture.RegisterClientAsync("sync", null, "230100")).ClientId;
                if (operation == "enable")
                {
                    (await admin.PostAsync($"/api/clients/{id}/disable", null)).EnsureSuccessStatusCode();
                }

                w.Revocable[(operation, side)] = id;
            }
        }

        foreach (var side in new[] { true, false })
        {
            w.Holder[side] = LicenseApiTests.NewCompany();
            var issuer = w.Clients[side ? CallerKind.IssuerA : CallerKind.IssuerB];
            var license = await (await issuer.PostAsJsonAsync("/api/licenses", LicenseApiTests.IssueBody(w.Holder[side]))).ReadJson();
            w.License[side] = license.GetProperty("id").GetString()!;
            w.Clients[side ? CallerKind.HolderX : CallerKind.HolderY] = await fixture.AsHolderAsync("001", w.Holder[side], "示例");
        }

        foreach (var side in new[] { true, false })
        {
            using var upload = await w.Clients[side ? CallerKind.IssuerA : CallerKind.IssuerB].SendAsync(ImportUpload());
            Assert.Equal(System.Net.HttpStatusCode.Accepted, upload.StatusCode);
            w.Imports[side] = (await upload.ReadJson()).GetProperty("id").GetString()!;
        }

        var inRecord = await (await w.Clients[CallerKind.VerifierInScope].PostAsJsonAsync("/api/verifications",
            new { licenseId = w.License[true], holder = new { idType = "001", idNumber = w.Holder[true] }, matterCode = Demo.FoodMatter, purpose = "x" })).ReadJson();
        w.Verification[true] = inRecord.GetProperty("verificationId").GetString()!;
        var outRecord = await (await w.Clients[CallerKind.VerifierOutOfScope].PostAsJsonAsync("/api/verifications",
            new { licenseId = w.License[false], holder = new { idType = "001", idNumber = w.Holder[false] }, matterCode = OtherMatter, purpose = "x" })).ReadJson();
        w.Verification[false] = outRecord.GetProperty("verificationId").GetString()!;
        foreach (var side in new[] { true, false })
        {
            var grant = await (await w.Clients[side ? CallerKind.HolderX : CallerKind.HolderY].PostAsJsonAsync("/api/me/authorizations", new
            {
                licenseId = w.License[side], granteeUnitCode = QiqiharCentre, purpose = "x", expiresAt = fixture.Clock.GetUtcNow().AddDays(1),
            })).ReadJson();
            w.Authorization[side] = grant.GetProperty("id").GetString()!;
        }

        w.Document = await (await w.Clients[CallerKind.IssuerA].GetAsync($"/api/licenses/{w.License[true]}/document")).ReadJson();
        foreach (var side in new[] { true, false })
        {
            var holder = w.Clients[side ? CallerKind.HolderX : CallerKind.HolderY];
            var issuer = w.Clients[side ? CallerKind.IssuerA : CallerKind.IssuerB];
            foreach (var operation in new[] { "read", "resolve", "forward", "close" })
            {
                var filed = await holder.PostAsJsonAsync("/api/corrections", CorrectionBody(w.License[side]));
                Assert.Equal(System.Net.HttpStatusCode.Created, filed.StatusCode);
                w.Corrections[(operation, side)] = (await filed.ReadJson()).GetProperty("id").GetString()!;
            }

            var closing = w.Corrections[("close", side)];
            (await issuer.PostAsJsonAsync($"/api/corrections/{closing}/forward", new { reason = "x" })).EnsureSuccessStatusCode();
            (await admin.PostAsJsonAsync($"/api/corrections/{closing}/resolve", new { outcome = "confirmed", reason = "x" })).EnsureSuccessStatusCode();
            var read = w.Corrections[("read", side)];
            w.Notices[$"operator:{side}"] = await NoticeAsync(read, "operator");
            w.Notices[$"unit:{(side ? Demo.HarbinMarket : Demo.QiqiharMarket)}"] = await NoticeAsync(read, $"unit:{(side ? Demo.HarbinMarket : Demo.QiqiharMarket)}");
            w.Notices[$"holder:{side}"] = await NoticeAsync(read, $"holder:001:{w.Holder[side]}");
        }

        return w;
    }

    /// <summary>An offline import of one record (CSV) of the food licence.</summary>
    private static HttpRequestMessage ImportUpload()
    {
        var csv = "sourceId,holderIdType,holderIdNumber,holderName,validFrom,operatorName,address,category\n"
            + $"matrix-{Guid.NewGuid():N},001,{LicenseApiTests.NewCompany()},示例餐饮有限公司,{TestCalendar.Iso()},示例餐饮有限公司,哈尔滨市南岗区示例路3号,餐饮服务经营者\n";
        var content = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(csv));
        content.Headers.ContentType = new("text/csv");
        return new HttpRequestMessage(HttpMethod.Post, $"/api/imports?kind=offline&typeCode={Demo.FoodType}") { Content = content };
    }

    private async Task<string> NoticeAsync(string correctionId, string recipient) =>
        (string)(await fixture.ScalarAsync("SELECT id::text FROM notifications WHERE correction_id = $1 AND recipient = $2 LIMIT 1", correctionId, recipient))!;

    private static object CorrectionBody(string licenseId) => new
    {
        licenseId, fields = new { address = "哈尔滨市南岗区示例路2号" }, description = "门牌号有误", cause = "data",
        evidence = new { fileName = "证明.pdf", contentType = "application/pdf", base64 = Convert.ToBase64String("%PDF-1.4 matrix"u8.ToArray()) },
    };

    private static string Notice(World w, CallerKind caller, bool pick) => caller switch
    {
        CallerKind.Admin => w.Notices[$"operator:{pick}"],
        CallerKind.IssuerA or CallerKind.IssuerB => w.Notices[$"unit:{(pick ? Demo.HarbinMarket : Demo.QiqiharMarket)}"],
        _ => w.Notices[$"holder:{pick}"],
    };

    private static string CorrectionOf(OpenApiOperation op) =>
        op.Path.EndsWith("/resolve", StringComparison.Ordinal) ? "resolve"
        : op.Path.EndsWith("/forward", StringComparison.Ordinal) ? "forward"
        : op.Path.EndsWith("/close", StringComparison.Ordinal) ? "close"
        : "read";

    private static async Task Put(HttpClient http, string path, object body) => (await http.PutAsJsonAsync(path, body)).EnsureSuccessStatusCode();

    /// <summary>"Own" is relative to the caller: side A is issuer A, the in-scope verifier and holder X (and callers that own nothing).</summary>
    private static bool SideOf(CallerKind caller) => caller is not (CallerKind.IssuerB or CallerKind.VerifierOutOfScope or CallerKind.HolderY);

    private static HttpRequestMessage Build(OpenApiOperation op, CallerKind caller, ObjectKind obj, World w)
    {
        var side = SideOf(caller);
        var pick = obj == ObjectKind.Foreign ? !side : side;
        var missingLicense = LicenseIdentifier.Create(Demo.FoodType, Demo.HarbinMarket, "NOSUCH" + Random.Shared.Next(1000, 9999)).ToString();
        string Param(string name) => (name, obj) switch
        {
            ("id", _) when op.Path.StartsWith("/api/imports", StringComparison.Ordinal) => obj switch
            {
                ObjectKind.Nonexistent => Guid.NewGuid().ToString(),
                ObjectKind.Malformed => "not-an-import",
                _ => w.Imports[pick],
            },
            // Uploads go to "sample", so the foreign type never gains the "seal" that downloads look for.
            ("kind", _) => op.Path.Contains("grains", StringComparison.Ordinal) ? "license" : op.Method == "PUT" ? "sample" : "seal",
            ("id" or "key", ObjectKind.Nonexistent) => missingLicense,
            ("id" or "key", ObjectKind.Malformed) => "not-a-licence",
            (_, ObjectKind.Malformed) => "BAD",
            ("id" or "key", _) => w.License[pick],
            ("typeCode", ObjectKind.Own) => Demo.FoodType,
            ("typeCode", ObjectKind.Foreign) => OtherType,
            // A new code every time: a PUT that defines the "nonexistent" type (as an admin may) never makes a later
            // GET's "nonexistent" type exist (random codes collided about once in a few hundred runs).
            ("typeCode", ObjectKind.Nonexistent) => $"11230000000000019J{Interlocked.Increment(ref missingTypes)}",
            ("unitCode", ObjectKind.Own) => pick ? Demo.HarbinMarket : Demo.QiqiharMarket,
            ("unitCode", ObjectKind.Foreign) => pick ? Demo.HarbinMarket : Demo.QiqiharMarket,
            ("unitCode", ObjectKind.Nonexistent) => TestCodes.CreditCode('1', '1', "230100", $"{Random.Shared.Next(10_000_000, 99_999_999)}"),
            ("clientId", ObjectKind.Nonexistent) => "no-such-client",
            ("clientId", _) when op.Method == "POST" => w.Revocable[(op.Path.Split('/').Last(), pick)],
            ("clientId", _) => w.ClientId[pick],
            ("verificationId", ObjectKind.Nonexistent) => Guid.NewGuid().ToString(),
            ("verificationId", _) => w.Verification[pick],
            ("authorizationId", ObjectKind.Nonexistent) => "auth-00000000000000000000000000000000",
            ("authorizationId", _) => w.Authorization[pick],
            ("correctionId", ObjectKind.Nonexistent) => Guid.NewGuid().ToString(),
            ("correctionId", _) => w.Corrections[(CorrectionOf(op), pick)],
            ("notificationId", ObjectKind.Nonexistent) => Guid.NewGuid().ToString(),
            ("notificationId", _) => Notice(w, caller, pick),
            _ => throw new InvalidOperationException($"no value for {name}"),
        };

        var path = op.Fill(name => Uri.EscapeDataString(Param(name)));
        if (op.Key == "GET /api/licenses/{id}/document" && caller is CallerKind.VerifierInScope or CallerKind.VerifierOutOfScope)
        {
            // The licence as it is now (its number): earlier rows changed it, and a superseded version hands over nothing.
            if (obj is ObjectKind.Own or ObjectKind.Foreign)
            {
                path = $"/api/licenses/{LicenseIdentifier.Parse(w.License[pick]).LicenseNumber}/document";
            }

            path += $"?authorizationId={w.Authorization[pick]}&matterCode={OtherMatter}&purpose=x";
        }

        if (op.Key == "GET /api/sync/digest")
        {
            path += $"?issuer={Demo.HarbinMarket}";
        }

        if (op.Key == "POST /api/imports")
        {
            return ImportUpload();
        }

        var request = new HttpRequestMessage(new HttpMethod(op.Method), path);
        var unitForPut = path.Split('/').Last();
        object? body = op.Key switch
        {
            "POST /api/clients" => new { name = "matrix", role = "sync", regionCode = "230100" },
            "PUT /api/catalog/types/{typeCode}" => Demo.FoodTypeBody(obj == ObjectKind.Foreign ? "其他许可证" : "食品经营许可证"),
            "PUT /api/units/{unitCode}" => obj == ObjectKind.Nonexistent
                ? Demo.Unit("新设单位", "230100", "city", Demo.ProvinceMarket)
                : unitForPut == Demo.QiqiharMarket
                    ? Demo.Unit("齐齐哈尔市市场监督管理局", "230200", "city", Demo.ProvinceMarket, [Demo.FoodType])
                    : Demo.Unit("哈尔滨市市场监督管理局", "230100", "city", Demo.ProvinceMarket, [Demo.FoodType], [Demo.FoodScope()]),
            "POST /api/licenses" => LicenseApiTests.IssueBody(LicenseApiTests.NewCompany()),
            "POST /api/licenses/{id}/changes" => new { fields = new { operatorName = "哈尔滨示例餐饮有限公司", address = "新址", category = "餐饮服务经营者" }, reason = "变更" },
            "POST /api/licenses/{id}/events" => new { type = "annual-inspection", result = "passed", date = TestCalendar.Iso() },
            "POST /api/verifications" => new { licenseId = w.License[true], holder = new { idType = "001", idNumber = w.Holder[true] }, matterCode = Demo.FoodMatter, purpose = "x" },
            "POST /api/verifications/document" => w.Document,
            "POST /api/verifications/holder-licenses" => new { holder = new { idType = "001", idNumber = w.Holder[true] }, matterCode = Demo.FoodMatter, purpose = "x" },
            "POST /api/me/licenses/{id}/presentations" => new { purpose = "x" },
            "POST /api/corrections" => CorrectionBody(w.License[side]),
            "POST /api/corrections/{correctionId}/resolve" => new { outcome = "confirmed", reason = "x" },
            "POST /api/corrections/{correctionId}/forward" or "POST /api/corrections/{correctionId}/close" => new { reason = "x" },
            // Port 9 (discard) on loopback: deliveries fail and back off for the rest of the run, harmlessly.
            "PUT /api/units/{unitCode}/webhook" => new { url = "http://127.0.0.1:9/hook", secret = "matrix-secret-0123456789" },
            "POST /api/sync/batches" => new { batchId = $"matrix-{Guid.NewGuid():N}", sourceRegion = "230100", records = Array.Empty<object>() },
            "POST /api/me/authorizations" => new { licenseId = w.License[side], granteeUnitCode = QiqiharCentre, purpose = "x", expiresAt = TestCalendar.Clock.GetUtcNow().AddDays(1) },
            _ => null,
        };
        if (op.Key == "POST /api/auth/token")
        {
            // Not the bootstrap admin: nine wrong secrets from one address would lock it out (issue 13) for the whole run.
            request.Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["client_id"] = "no-such-client", ["client_secret"] = "wrong" });
        }
        else if (op.Key == "PUT /api/catalog/types/{typeCode}/files/{kind}")
        {
            request.Content = new ByteArrayContent([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1]);
            request.Content.Headers.ContentType = new("image/png");
        }
        else if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return request;
    }
}
