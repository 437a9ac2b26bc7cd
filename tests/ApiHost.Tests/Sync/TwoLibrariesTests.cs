using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OrleansLicenses.Identifiers;
using OrleansLicenses.Sync;
using OrleansLicenses.Tests.Infrastructure;
using OrleansLicenses.Tests.Licenses;
using Xunit.Abstractions;

namespace OrleansLicenses.Tests.Sync;

/// <summary>
/// Two libraries on one machine (issue 11): the Harbin city library pushes to the provincial library. Two clusters, two
/// API hosts, two databases; the city's silos push over HTTP to the province's API host on a loopback port.
/// </summary>
public sealed class TwoLibrariesTests(ITestOutputHelper output)
{
    internal const string Harbin = "230100";
    internal const string SyncClientId = "harbin-sync";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task CityChanges_ReachTheProvince_SurviveItsRestart_AndTheDigestsAgree_TamperedForeignAndRepeatedRecordsChangeNothing_ReconcileRepushesOnlyTheMissing()
    {
        var provincePort = Ports.Free();
        var secretFile = Path.Combine(Path.GetTempPath(), $"ol-upstream-{Guid.NewGuid():N}");
        var city = await StartAsync(new LibraryFixture(CitySettings(provincePort, secretFile)));
        try
        {
            await RunAsync(city, provincePort, secretFile);
        }
        finally
        {
            await city.DisposeAsync();
            File.Delete(secretFile);
        }
    }

    private async Task RunAsync(LibraryFixture city, int provincePort, string secretFile)
    {
        using var cityAdmin = await city.AsAdminAsync();
        await Demo.SeedAsync(cityAdmin);
        var (issuerId, issuerSecret) = await city.RegisterClientAsync("issuer", Demo.HarbinMarket);
        using var issuer = await city.AsClientAsync(issuerId, issuerSecret);
        var cityRoot = (byte[])(await city.ScalarAsync("SELECT certificate FROM published_certificates WHERE kind = 'root' AND is_current"))!;
        var provinceSettings = new Dictionary<string, string?> { [$"{TrustedRoots.Section}:0"] = Convert.ToBase64String(cityRoot) };

        var province = await StartAsync(new LibraryFixture(provinceSettings, provincePort));
        string provinceDatabase = province.ConnectionString;
        try
        {
            using (var provinceAdmin = await province.AsAdminAsync())
            {
                var registered = await (await provinceAdmin.PostAsJsonAsync("/api/clients",
                    new { name = "哈尔滨市电子证照库", role = "sync", regionCode = Harbin, clientId = SyncClientId })).ReadJson();
                await File.WriteAllTextAsync(secretFile, registered.GetProperty("clientSecret").GetString());
            }

            // Issue, change, suspend at the city: each is seen at the province within seconds.
            var first = await (await issuer.PostAsJsonAsync("/api/licenses", LicenseApiTests.IssueBody(LicenseApiTests.NewCompany()))).ReadJson();
            var number = first.GetProperty("licenseNumber").GetString()!;
            var watch = Stopwatch.StartNew();
            await SeenAsync(province, number, v => v.GetProperty("version").GetString() == "001");
            output.WriteLine($"issue seen at the province after {watch.ElapsedMilliseconds} ms");
            (await issuer.PostAsJsonAsync($"/api/licenses/{number}/changes",
                new { fields = new { address = "哈尔滨市道里区新址2号" }, reason = "经营场所变更" })).EnsureSuccessStatusCode();
            watch.Restart();
            await SeenAsync(province, number, v => v.GetProperty("version").GetString() == "002");
            output.WriteLine($"change seen at the province after {watch.ElapsedMilliseconds} ms");
            (await issuer.PostAsJsonAsync($"/api/licenses/{number}/events", new { type = "suspend", reason = "责令停业整顿" })).EnsureSuccessStatusCode();
            watch.Restart();
            var held = await SeenAsync(province, number, v => v.GetProperty("status").GetString() == "suspended");
            output.WriteLine($"suspension seen at the province after {watch.ElapsedMilliseconds} ms");
            Assert.Equal(Harbin, held.GetProperty("sourceLibrary").GetString());
            var atCity = await (await issuer.GetAsync($"/api/licenses/{number}")).ReadJson();
            Assert.Equal(atCity.GetProperty("id").GetString(), held.GetProperty("id").GetString());
            Assert.Equal(atCity.GetProperty("signature").GetRawText(), held.GetProperty("signature").GetRawText());
            Assert.Equal(Fields(atCity), Fields(held));

            // The city's signed document verifies at the province exactly as at the city.
            var document = await (await issuer.GetAsync($"/api/licenses/{number}/document")).ReadJson();
            var checkedAtCity = await (await city.Anonymous().PostAsJsonAsync("/api/verifications/document", document)).ReadJson();
            var checkedAtProvince = await (await province.Anonymous().PostAsJsonAsync("/api/verifications/document", document)).ReadJson();
            Assert.True(checkedAtProvince.GetProperty("signatureValid").GetBoolean());
            Assert.Equal(checkedAtCity.GetRawText(), checkedAtProvince.GetRawText());

            // The province stops; the city keeps issuing; the province comes back and catches up.
            await province.DisposeAsync();
            var issuedWhileDown = new List<string>();
            for (var i = 0; i < 4; i++)
            {
                var issued = await (await issuer.PostAsJsonAsync("/api/licenses", LicenseApiTests.IssueBody(LicenseApiTests.NewCompany()))).ReadJson();
                issuedWhileDown.Add(issued.GetProperty("licenseNumber").GetString()!);
            }

            (await issuer.PostAsJsonAsync($"/api/licenses/{issuedWhileDown[0]}/events", new { type = "mortgage", reason = "抵押登记" })).EnsureSuccessStatusCode();
            province = await StartAsync(new LibraryFixture(provinceSettings, provincePort, provinceDatabase));
            using var sync = await province.AsClientAsync(SyncClientId, (await File.ReadAllTextAsync(secretFile)).Trim());
            var digestPath = $"/api/sync/digest?issuer={Demo.HarbinMarket}&from={TestCalendar.Iso(-1)}&to={TestCalendar.Iso(1)}";
            watch.Restart();
            JsonElement cityDigest = default, provinceDigest = default;
            await Eventually(async () =>
            {
                using var atCity = await cityAdmin.GetAsync(digestPath);
                using var atProvince = await sync.GetAsync(digestPath);
                Assert.Equal(HttpStatusCode.OK, atCity.StatusCode);
                Assert.Equal(HttpStatusCode.OK, atProvince.StatusCode);
                cityDigest = await atCity.ReadJson();
                provinceDigest = await atProvince.ReadJson();
                return cityDigest.GetProperty("root").GetString() == provinceDigest.GetProperty("root").GetString();
            }, "the province's digest equals the city's after its restart");
            output.WriteLine($"digests equal {watch.ElapsedMilliseconds} ms after the province's restart: {provinceDigest}");
            Assert.Equal(5, cityDigest.GetProperty("count").GetInt32());
            Assert.Equal(cityDigest.GetProperty("days").GetRawText(), provinceDigest.GetProperty("days").GetRawText());

            // Nothing was applied twice, across the restart: one change at the province per change at the city.
            foreach (var n in issuedWhileDown.Prepend(number))
            {
                Assert.Equal(await CountChangesAsync(city, n), await CountChangesAsync(province, n));
            }

            // Tampered records (a face value, the signature), and a foreign region, are rejected with their reasons.
            await using var cityDb = Npgsql.NpgsqlDataSource.Create(city.ConnectionString);
            var genuine = (await new FeedReader(cityDb).LatestAsync([issuedWhileDown[1]])).Single().Record;
            var signature = Convert.FromBase64String(genuine.Signature);
            signature[^3] ^= 0x5A;
            var tampered = new SyncBatch($"tamper-{Guid.NewGuid():N}", Harbin,
            [
                genuine with { Document = genuine.Document.Replace("南岗区", "香坊区", StringComparison.Ordinal), LicenseSeq = genuine.LicenseSeq + 1 },
                genuine with { Signature = Convert.ToBase64String(signature), LicenseSeq = genuine.LicenseSeq + 1 },
                genuine with { Identifier = genuine.Identifier[..^1] + (genuine.Identifier[^1] == 'A' ? 'B' : 'A') },
            ]);
            var tamperedResult = await PushAsync(sync, tampered);
            Assert.Equal(0, tamperedResult.Applied);
            Assert.Equal([SyncReasons.SignatureInvalid, SyncReasons.SignatureInvalid, SyncReasons.IdentifierInvalid],
                tamperedResult.Rejected.OrderBy(r => r.Index).Select(r => r.Reason));
            Assert.Equal(1, await CountChangesAsync(province, issuedWhileDown[1]));

            using (var provinceAdmin = await province.AsAdminAsync())
            {
                var qiqiharClient = await (await provinceAdmin.PostAsJsonAsync("/api/clients",
                    new { name = "齐齐哈尔市电子证照库", role = "sync", regionCode = "230200", clientId = "qiqihar-sync" })).ReadJson();
                using var qiqihar = await province.AsClientAsync("qiqihar-sync", qiqiharClient.GetProperty("clientSecret").GetString()!);
                var foreign = await PushAsync(qiqihar, new SyncBatch($"foreign-{Guid.NewGuid():N}", "230200", [genuine with { LicenseSeq = genuine.LicenseSeq + 1 }]));
                Assert.Equal(SyncReasons.RegionOutside, Assert.Single(foreign.Rejected).Reason);
            }

            // The same batch twice: the second answer is the first one's, and nothing is applied again.
            var next = await (await issuer.PostAsJsonAsync($"/api/licenses/{issuedWhileDown[2]}/events", new { type = "pledge", reason = "质押登记" })).ReadJson();
            var pledged = (await new FeedReader(cityDb).LatestAsync([issuedWhileDown[2]])).Single().Record;
            var repeated = new SyncBatch($"manual-{Guid.NewGuid():N}", Harbin, [pledged]);
            var once = await PushAsync(sync, repeated);
            var twice = await PushAsync(sync, repeated);
            Assert.False(once.Duplicate);
            Assert.Equal(1, once.Applied + once.Unchanged);
            Assert.True(twice.Duplicate);
            Assert.Equal((once.Applied, once.Unchanged), (twice.Applied, twice.Unchanged));
            await SeenAsync(province, issuedWhileDown[2], v => v.GetProperty("annotations").GetProperty("pledged").GetBoolean());
            await Eventually(async () => await CountChangesAsync(city, issuedWhileDown[2]) == await CountChangesAsync(province, issuedWhileDown[2]),
                "the pledge is held once at the province");
            Assert.Equal(2, await CountChangesAsync(province, issuedWhileDown[2]));
            Assert.Equal("valid", next.GetProperty("status").GetString());

            // The province stops trusting the city's root for a moment: what the city pushes meanwhile is rejected (a
            // final answer), the digests differ on that day, and a reconciliation pushes exactly the missing licences.
            SetOnSilos(province, $"{TrustedRoots.Section}:0", "");
            var missed = new List<string>();
            for (var i = 0; i < 2; i++)
            {
                var issued = await (await issuer.PostAsJsonAsync("/api/licenses", LicenseApiTests.IssueBody(LicenseApiTests.NewCompany()))).ReadJson();
                missed.Add(issued.GetProperty("licenseNumber").GetString()!);
            }

            await Eventually(async () => (long)(await city.ScalarAsync("SELECT coalesce(sum(pushed), 0)::bigint FROM sync_push_cursors"))!
                >= (long)(await city.ScalarAsync("SELECT count(*) FROM license_changes"))!, "the city pushed every change");
            SetOnSilos(province, $"{TrustedRoots.Section}:0", Convert.ToBase64String(cityRoot));
            foreach (var n in missed)
            {
                Assert.Equal(0, await CountChangesAsync(province, n));
            }

            await using var provider = new ServiceCollection().AddHttpClient().BuildServiceProvider();
            var upstream = new UpstreamClient(provider.GetRequiredService<IHttpClientFactory>(), TimeProvider.System);
            var options = new UpstreamOptions
            {
                BaseUrl = $"http://127.0.0.1:{provincePort}/", ClientId = SyncClientId, ClientSecretFile = secretFile, SourceRegion = Harbin,
            };
            var report = await new Reconciler(new DigestQuery(cityDb), new FeedReader(cityDb), upstream, options)
                .RunAsync(Demo.HarbinMarket, TestCalendar.Today.AddDays(-1), TestCalendar.Today.AddDays(1), CancellationToken.None);
            output.WriteLine($"reconcile: differing days {string.Join(",", report.DifferingDays)}, pushed {string.Join(",", report.Pushed)}");
            Assert.NotEqual(report.LocalBefore.Root, report.UpstreamBefore.Root);
            Assert.Equal(missed.Order(StringComparer.Ordinal), report.Pushed.Order(StringComparer.Ordinal));
            Assert.Empty(report.Rejected);
            Assert.Empty(report.OnlyUpstream);
            Assert.True(report.EqualAfter);
        }
        finally
        {
            await province.DisposeAsync();
        }
    }

    /// <summary>The city's silos: push to the province on <paramref name="provincePort"/> as <see cref="SyncClientId"/>.</summary>
    internal static Dictionary<string, string?> CitySettings(int provincePort, string secretFile) => new()
    {
        ["Upstream:BaseUrl"] = $"http://127.0.0.1:{provincePort}/",
        ["Upstream:ClientId"] = SyncClientId,
        ["Upstream:ClientSecretFile"] = secretFile,
        ["Upstream:SourceRegion"] = Harbin,
        ["Upstream:Partitions"] = "2",
        ["Upstream:PollInterval"] = "00:00:00.200",
        ["Upstream:MaxBackoff"] = "00:00:01",
    };

    /// <summary>Changes a setting on every silo of a library (the settings the grains read again on use).</summary>
    private static void SetOnSilos(ApiFixture library, string key, string value)
    {
        foreach (var silo in library.Silos.Hosts)
        {
            silo.Services.GetRequiredService<IConfiguration>()[key] = value;
        }
    }

    internal static async Task<LibraryFixture> StartAsync(LibraryFixture library)
    {
        await library.InitializeAsync();
        return library;
    }

    private static async Task<SyncBatchResult> PushAsync(HttpClient sync, SyncBatch batch)
    {
        using var response = await sync.PostAsJsonAsync("/api/sync/batches", batch);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<SyncBatchResult>())!;
    }

    /// <summary>The province's view of a licence (as its administrator) once <paramref name="condition"/> holds.</summary>
    private static async Task<JsonElement> SeenAsync(LibraryFixture province, string number, Func<JsonElement, bool> condition)
    {
        using var admin = await province.AsAdminAsync();
        JsonElement view = default;
        await Eventually(async () =>
        {
            using var response = await admin.GetAsync($"/api/licenses/{number}");
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return false;
            }

            view = await response.ReadJson();
            return condition(view);
        }, $"{number} at the province");
        return view;
    }

    internal static async Task<long> CountChangesAsync(ApiFixture library, string number) =>
        (long)(await library.ScalarAsync("SELECT count(*) FROM license_changes WHERE license_number = $1", number))!;

    /// <summary>Face values (a signed document's keys are sorted, so the province may list them in another order).</summary>
    private static SortedDictionary<string, string?> Fields(JsonElement view) =>
        new(view.GetProperty("fields").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()), StringComparer.Ordinal);

    internal static async Task Eventually(Func<Task<bool>> condition, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (deadline.Elapsed > Bound)
            {
                throw new TimeoutException($"not within {Bound.TotalSeconds} s: {what}");
            }

            await Task.Delay(100);
        }
    }
}
