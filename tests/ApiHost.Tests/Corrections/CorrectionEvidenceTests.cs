using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using OrleansLicenses.Tests.Infrastructure;
using OrleansLicenses.Tests.Licenses;

namespace OrleansLicenses.Tests.Corrections;

/// <summary>Issue 12: the optional evidence file of a correction request: stored with the filing, served to those who may read the request.</summary>
[Collection(ApiCollection.Name)]
public sealed class CorrectionEvidenceTests(ApiFixture fixture)
{
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, .. RandomNumberGenerator.GetBytes(300)];

    private static object Filing(string licenseId, object? evidence) =>
        new { licenseId, fields = new { address = "哈尔滨市南岗区示例路2号" }, description = "门牌号有误，附现场照片", cause = "data", evidence };

    private async Task<(HttpClient Issuer, HttpClient OtherIssuer, HttpClient Holder, HttpClient OtherHolder, string LicenseId)> WorldAsync()
    {
        using var admin = await fixture.AsAdminAsync();
        await Demo.SeedAsync(admin);
        (await admin.PutAsJsonAsync($"/api/units/{Demo.QiqiharMarket}", Demo.Unit("齐齐哈尔市市场监督管理局", "230200", "city", Demo.ProvinceMarket, [Demo.FoodType])))
            .EnsureSuccessStatusCode();
        async Task<HttpClient> Issuer(string unit)
        {
            var (id, secret) = await fixture.RegisterClientAsync("issuer", unit);
            return await fixture.AsClientAsync(id, secret);
        }

        var issuer = await Issuer(Demo.HarbinMarket);
        var holderCode = LicenseApiTests.NewCompany();
        var license = await (await issuer.PostAsJsonAsync("/api/licenses", LicenseApiTests.IssueBody(holderCode))).ReadJson();
        return (issuer, await Issuer(Demo.QiqiharMarket), await fixture.AsHolderAsync("001", holderCode, "哈尔滨示例餐饮有限公司"),
            await fixture.AsHolderAsync("001", LicenseApiTests.NewCompany(), "另一家公司"), license.GetProperty("id").GetString()!);
    }

    [Fact]
    public async Task Evidence_RoundTrips_ForTheRequesterAndTheIssuer_AndStrangersGet404()
    {
        var (issuer, otherIssuer, holder, otherHolder, licenseId) = await WorldAsync();
        using var filed = await holder.PostAsJsonAsync("/api/corrections",
            Filing(licenseId, new { fileName = "门牌照片.png", contentType = "image/png", base64 = Convert.ToBase64String(Png) }));
        Assert.True(filed.StatusCode == HttpStatusCode.Created, await filed.Content.ReadAsStringAsync());
        var view = await filed.ReadJson();
        var id = view.GetProperty("id").GetString()!;
        var info = view.GetProperty("evidence");
        Assert.Equal(("门牌照片.png", "image/png", Png.Length, Convert.ToHexStringLower(SHA256.HashData(Png))),
            (info.GetProperty("fileName").GetString(), info.GetProperty("contentType").GetString(), info.GetProperty("size").GetInt32(), info.GetProperty("sha256").GetString()));

        foreach (var reader in new[] { holder, issuer })
        {
            using var file = await reader.GetAsync($"/api/corrections/{id}/evidence");
            Assert.Equal(HttpStatusCode.OK, file.StatusCode);
            Assert.Equal("image/png", file.Content.Headers.ContentType?.MediaType);
            Assert.Equal(Png, await file.Content.ReadAsByteArrayAsync());
            Assert.Contains("nosniff", file.Headers.GetValues("X-Content-Type-Options"));
        }

        foreach (var stranger in new[] { otherHolder, otherIssuer })
        {
            var foreign = await ProblemAssert.IsProblem(await stranger.GetAsync($"/api/corrections/{id}/evidence"), HttpStatusCode.NotFound);
            var missing = await ProblemAssert.IsProblem(await stranger.GetAsync($"/api/corrections/{Guid.NewGuid()}/evidence"), HttpStatusCode.NotFound);
            Assert.Equal(missing.GetProperty("detail").GetString(), foreign.GetProperty("detail").GetString());
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.Anonymous().GetAsync($"/api/corrections/{id}/evidence")).StatusCode);
    }

    [Fact]
    public async Task WithoutEvidence_TheContractIsUnchanged_AndThereIsNoFile()
    {
        var (issuer, _, holder, _, licenseId) = await WorldAsync();
        using var filed = await holder.PostAsJsonAsync("/api/corrections",
            new { licenseId, fields = new { address = "哈尔滨市南岗区示例路2号" }, description = "门牌号有误", cause = "data" });
        Assert.Equal(HttpStatusCode.Created, filed.StatusCode);
        var view = await filed.ReadJson();
        Assert.Equal(System.Text.Json.JsonValueKind.Null, view.GetProperty("evidence").ValueKind);
        await ProblemAssert.IsProblem(await issuer.GetAsync($"/api/corrections/{view.GetProperty("id").GetString()}/evidence"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task BadEvidence_Is400NamingTheField_AndNothingIsFiled()
    {
        var (_, _, holder, _, licenseId) = await WorldAsync();
        var pdf = Convert.ToBase64String("%PDF-1.7 evidence"u8.ToArray());
        var cases = new (object Evidence, string Field)[]
        {
            (new { fileName = "a.exe", contentType = "application/x-msdownload", base64 = pdf }, "evidence.contentType"),
            (new { fileName = "a.pdf", contentType = "application/pdf", base64 = "not base64!" }, "evidence.base64"),
            (new { fileName = "a.pdf", contentType = "application/pdf", base64 = "" }, "evidence.base64"),
            (new { fileName = "a.png", contentType = "image/png", base64 = pdf }, "evidence.base64"),     // content is not what its type says
            (new { fileName = "../a.pdf", contentType = "application/pdf", base64 = pdf }, "evidence.fileName"),
            (new { fileName = "", contentType = "application/pdf", base64 = pdf }, "evidence.fileName"),
        };
        var before = (long)(await fixture.ScalarAsync("SELECT count(*) FROM correction_evidence"))!;
        foreach (var (evidence, field) in cases)
        {
            await ProblemAssert.IsProblem(await holder.PostAsJsonAsync("/api/corrections", Filing(licenseId, evidence)), HttpStatusCode.BadRequest, field);
        }

        Assert.Equal(before, (long)(await fixture.ScalarAsync("SELECT count(*) FROM correction_evidence"))!);
        using var pdfFiled = await holder.PostAsJsonAsync("/api/corrections", Filing(licenseId, new { fileName = "证明.pdf", contentType = "application/pdf", base64 = pdf }));
        Assert.Equal(HttpStatusCode.Created, pdfFiled.StatusCode);
    }
}
