using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OrleansLicenses.Identifiers;
using OrleansLicenses.Tests.Infrastructure;
using OrleansLicenses.Tests.Licenses;

namespace OrleansLicenses.Tests.Imports;

[Collection(ApiCollection.Name)]
public sealed class ImportApiTests(ApiFixture fixture)
{
    private const string Header = "sourceId,holderIdType,holderIdNumber,holderName,validFrom,validUntil,operatorName,address,category";

    static ImportApiTests() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    private async Task<HttpClient> ClientAsync(string role, string unit)
    {
        using var admin = await fixture.AsAdminAsync();
        await Demo.SeedAsync(admin);
        var (id, secret) = await fixture.RegisterClientAsync(role, unit);
        return await fixture.AsClientAsync(id, secret);
    }

    /// <summary>
    /// 10 000 offline records, GB18030-encoded CSV without a charset: every 100th record is bad in one of four ways
    /// and is reported with its line and column; progress is seen moving while the import runs; a re-upload of the
    /// same records issues nothing twice.
    /// </summary>
    [Fact]
    public async Task OfflineImport_OfTenThousandRows_ReportsEachBadRowByLineAndField_ShowsProgress_AndAReuploadDuplicatesNothing()
    {
        using var issuer = await ClientAsync("issuer", Demo.HarbinMarket);
        var run = Guid.NewGuid().ToString("N")[..8];
        var csv = new StringBuilder(Header).Append('\n');
        var expected = new Dictionary<int, string>();
        for (var i = 0; i < 10_000; i++)
        {
            var line = i + 2; // the header is line 1
            var (holder, validFrom, address) = (LicenseApiTests.NewCompany(), TestCalendar.Iso(), $"哈尔滨市南岗区示例路{i}号");
            if (i % 100 == 7)
            {
                switch (i / 100 % 4)
                {
                    case 0:
                        holder = "NOT-A-CREDIT-CODE";
                        expected[line] = "holderIdNumber";
                        break;
                    case 1:
                        validFrom = "2024/01/01";
                        expected[line] = "validFrom";
                        break;
                    case 2:
                        address = "";
                        expected[line] = "address";
                        break;
                    default:
                        csv.Append(CultureInfoText($"{run}-{i},001,{holder},\"示例,餐饮\"\n"));
                        expected[line] = "row";
                        continue;
                }
            }

            csv.Append(CultureInfoText($"{run}-{i},001,{holder},\"哈尔滨示例餐饮{i}有限公司\",{validFrom},,哈尔滨示例餐饮{i}有限公司,{address},餐饮服务经营者\n"));
        }

        var body = Encoding.GetEncoding("GB18030").GetBytes(csv.ToString());
        var offlineBefore = Convert.ToInt64(await fixture.ScalarAsync("SELECT count(*) FROM licenses WHERE origin = 'offline'"));
        var first = await UploadAsync(issuer, "offline", body, "text/csv");
        var observed = new List<int>();
        var progress = await AwaitDoneAsync(issuer, first, observed);

        Assert.Equal(10_000, progress.GetProperty("total").GetInt32());
        Assert.Equal(10_000, progress.GetProperty("done").GetInt32());
        Assert.Equal(100, progress.GetProperty("failed").GetInt32());
        Assert.Equal(9_900, progress.GetProperty("accepted").GetInt32());
        Assert.True(progress.GetProperty("rate").GetDouble() > 0);
        // Seen while it ran: some records done, not all.
        Assert.Contains(observed, done => done is > 0 and < 10_000);

        var errors = await ErrorsAsync(issuer, first);
        Assert.Equal(expected.Keys.Order(), errors.Select(e => e.Line).Distinct().Order());
        foreach (var (line, field) in expected)
        {
            Assert.Contains(errors, e => e.Line == line && e.Field == field);
        }

        Assert.Equal(offlineBefore + 9_900, Convert.ToInt64(await fixture.ScalarAsync("SELECT count(*) FROM licenses WHERE origin = 'offline'")));
        var sample = Convert.ToString(await fixture.ScalarAsync(
            "SELECT identifier FROM licenses WHERE origin = 'offline' AND issuer_code = $1 ORDER BY issued_at DESC LIMIT 1", Demo.HarbinMarket))!;
        var license = await (await issuer.GetAsync($"/api/licenses/{sample}")).ReadJson();
        Assert.Equal("offline", license.GetProperty("origin").GetString());
        Assert.Equal("ok", license.GetProperty("identifierCheck").GetString());

        // The first 1 000 records again (10 bad ones among them): every good record answers the licence it made, the
        // bad ones fail again, nothing is added.
        var head = string.Join('\n', csv.ToString().Split('\n').Take(1_001)) + "\n";
        var second = await UploadAsync(issuer, "offline", Encoding.GetEncoding("GB18030").GetBytes(head), "text/csv");
        var again = await AwaitDoneAsync(issuer, second, []);
        Assert.Equal((1_000, 10), (again.GetProperty("done").GetInt32(), again.GetProperty("failed").GetInt32()));
        Assert.Equal(offlineBefore + 9_900, Convert.ToInt64(await fixture.ScalarAsync("SELECT count(*) FROM licenses WHERE origin = 'offline'")));

        // Another issuer does not see this import.
        using var other = await ClientAsync("issuer", Demo.ProvinceMarket);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/imports/{first}")).StatusCode);
    }

    /// <summary>
    /// Legacy records (JSON Lines, UTF-8 with BOM): a paper licence whose check character is wrong is accepted, flagged
    /// and kept verbatim, and found by that very identifier by the issuer, the public, a verifier and an administrator;
    /// a wrong check character the library does not hold is still a 400.
    /// </summary>
    [Fact]
    public async Task LegacyImport_WithAWrongCheckCharacter_IsAcceptedFlaggedAndFoundByThatIdentifier_AnUnheldOneIs400()
    {
        using var issuer = await ClientAsync("issuer", Demo.HarbinMarket);
        var serial = "LG" + Random.Shared.NextInt64(1_000_000_000, 9_999_999_999);
        var right = LicenseIdentifier.Create(Demo.FoodType, Demo.HarbinMarket, serial, "003");
        var wrongCheck = WrongCheck(right);
        var correct = LicenseIdentifier.Create(Demo.FoodType, Demo.HarbinMarket, serial + "1");
        var holder = LicenseApiTests.NewCompany();
        var lines = new[]
        {
            Record(wrongCheck, holder, "P-1"),
            Record(correct.ToString(), LicenseApiTests.NewCompany(), "P-2"),
            Record(WrongCheck(LicenseIdentifier.Create(Demo.FoodType, Demo.ProvinceMarket, serial)), LicenseApiTests.NewCompany(), "P-3"),
        };
        var body = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n")).ToArray();
        var id = await UploadAsync(issuer, "legacy", body, "application/x-ndjson");
        var progress = await AwaitDoneAsync(issuer, id, []);
        Assert.Equal((3, 1), (progress.GetProperty("done").GetInt32(), progress.GetProperty("failed").GetInt32()));
        Assert.Contains(await ErrorsAsync(issuer, id), e => e is { Line: 3, Field: "legacyIdentifier" });

        var license = await (await issuer.GetAsync($"/api/licenses/{wrongCheck}")).ReadJson();
        Assert.Equal(wrongCheck, license.GetProperty("id").GetString());
        Assert.Equal("003", license.GetProperty("version").GetString());
        Assert.Equal("legacy", license.GetProperty("origin").GetString());
        Assert.Equal("mismatch", license.GetProperty("identifierCheck").GetString());
        Assert.Equal(TestCalendar.Iso(-3650), license.GetProperty("originalIssueDate").GetString());
        Assert.Equal("ok", (await (await issuer.GetAsync($"/api/licenses/{correct}")).ReadJson()).GetProperty("identifierCheck").GetString());

        using var anonymous = fixture.Anonymous();
        var disclosed = await (await anonymous.GetAsync($"/api/public/licenses/{wrongCheck}")).ReadJson();
        Assert.Equal(("mismatch", wrongCheck), (disclosed.GetProperty("identifierCheck").GetString(), disclosed.GetProperty("id").GetString()));

        using var hall = await ClientAsync("verifier", Demo.HarbinCentre);
        using var verified = await hall.PostAsJsonAsync("/api/verifications", new
        {
            licenseId = wrongCheck, holder = new { idType = "001", idNumber = holder }, matterCode = Demo.FoodMatter, purpose = "办理食品经营许可变更",
        });
        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        var outcome = await verified.ReadJson();
        Assert.True(outcome.GetProperty("valid").GetBoolean());
        Assert.Equal("mismatch", outcome.GetProperty("license").GetProperty("identifierCheck").GetString());

        using var admin = await fixture.AsAdminAsync();
        var inspected = await (await admin.GetAsync($"/api/admin/grains/license/{wrongCheck}")).ReadJson();
        Assert.Equal("mismatch", inspected.GetProperty("identifierCheck").GetString());

        // A wrong check character on an identifier this library does not hold: the strict parse's 400.
        var unheld = WrongCheck(LicenseIdentifier.Create(Demo.FoodType, Demo.HarbinMarket, serial + "9"));
        var problem = await ProblemAssert.IsProblem(await issuer.GetAsync($"/api/licenses/{unheld}"), HttpStatusCode.BadRequest);
        Assert.Contains("check character", problem.GetProperty("errors").GetProperty("id")[0].GetString(), StringComparison.Ordinal);
        await ProblemAssert.IsProblem(await anonymous.GetAsync($"/api/public/licenses/{unheld}"), HttpStatusCode.BadRequest);

        // A change of the legacy licence gets a computed, correct identifier; the paper one still finds the licence.
        using var changed = await issuer.PostAsJsonAsync($"/api/licenses/{wrongCheck}/changes", new { fields = new { address = "哈尔滨市道里区新址路8号" }, reason = "经营场所变更" });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var next = await changed.ReadJson();
        Assert.True(LicenseIdentifier.TryParse(next.GetProperty("id").GetString(), out var parsedNext, out _));
        Assert.Equal(("004", "ok"), (parsedNext.Version, next.GetProperty("identifierCheck").GetString()));
        Assert.Equal(HttpStatusCode.OK, (await issuer.GetAsync($"/api/licenses/{wrongCheck}")).StatusCode);
    }

    [Fact]
    public async Task Upload_WithoutItsRequiredColumns_OrOfAnotherKind_Is400_AndStoresNothing()
    {
        using var issuer = await ClientAsync("issuer", Demo.HarbinMarket);
        var before = Convert.ToInt64(await fixture.ScalarAsync("SELECT count(*) FROM imports"));
        using var noSource = new ByteArrayContent(Encoding.UTF8.GetBytes("holderIdType,holderIdNumber,holderName,validFrom\n001,x,y,2026-01-01\n"));
        noSource.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        var problem = await ProblemAssert.IsProblem(await issuer.PostAsync($"/api/imports?kind=offline&typeCode={Demo.FoodType}", noSource), HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("header", out _));
        using var bad = new ByteArrayContent(Encoding.UTF8.GetBytes("{}\n"));
        bad.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
        problem = await ProblemAssert.IsProblem(await issuer.PostAsync($"/api/imports?kind=paper&typeCode={Demo.FoodType}", bad), HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("kind", out _));
        Assert.Equal(before, Convert.ToInt64(await fixture.ScalarAsync("SELECT count(*) FROM imports")));
    }

    private static string Record(string legacyIdentifier, string holder, string sourceId) => JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["sourceId"] = sourceId, ["holderIdType"] = "001", ["holderIdNumber"] = holder, ["holderName"] = "哈尔滨老字号餐饮有限公司",
        ["validFrom"] = TestCalendar.Iso(-3650), ["validUntil"] = TestCalendar.Iso(365), ["legacyIdentifier"] = legacyIdentifier,
        ["originalIssueDate"] = TestCalendar.Iso(-3650), ["operatorName"] = "哈尔滨老字号餐饮有限公司", ["address"] = "哈尔滨市道外区老街1号",
        ["category"] = "餐饮服务经营者",
    });

    private static string WrongCheck(LicenseIdentifier identifier)
    {
        var text = identifier.ToString();
        return text[..^1] + (identifier.Check == 'A' ? 'B' : 'A');
    }

    private static string CultureInfoText(FormattableString text) => FormattableString.Invariant(text);

    private static async Task<string> UploadAsync(HttpClient issuer, string kind, byte[] body, string mediaType)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        using var response = await issuer.PostAsync($"/api/imports?kind={kind}&typeCode={Demo.FoodType}", content);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        var accepted = await response.ReadJson();
        var id = accepted.GetProperty("id").GetString()!;
        Assert.Equal($"/api/imports/{id}", response.Headers.Location?.OriginalString);
        return id;
    }

    private static async Task<JsonElement> AwaitDoneAsync(HttpClient issuer, string id, List<int> observed)
    {
        // A bound, not a pace: ~10 s on an idle 2-core box, far longer when other builds share its cores.
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(300))
        {
            var progress = await (await issuer.GetAsync($"/api/imports/{id}")).ReadJson();
            observed.Add(progress.GetProperty("done").GetInt32());
            if (progress.GetProperty("status").GetString() == "done")
            {
                return progress;
            }

            await Task.Delay(100);
        }

        var log = string.Join('\n', LogSink.Lines.Where(l => l.Contains("Import", StringComparison.Ordinal)).TakeLast(10));
        throw new TimeoutException($"import {id} did not finish; last seen done = {observed.LastOrDefault()}\n{log}");
    }

    private sealed record RowError(int Line, string Field, string Message);

    private static async Task<List<RowError>> ErrorsAsync(HttpClient issuer, string id)
    {
        var all = new List<RowError>();
        for (var page = 1; ; page++)
        {
            var errors = (await (await issuer.GetAsync($"/api/imports/{id}?page={page}&pageSize=100")).ReadJson()).GetProperty("errors");
            var items = errors.GetProperty("items").EnumerateArray()
                .Select(e => new RowError(e.GetProperty("line").GetInt32(), e.GetProperty("field").GetString()!, e.GetProperty("message").GetString()!)).ToList();
            all.AddRange(items);
            if (items.Count < 100)
            {
                return all;
            }
        }
    }
}
