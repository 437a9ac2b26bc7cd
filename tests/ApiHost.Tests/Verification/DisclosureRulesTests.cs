using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansLicenses.Tests.Infrastructure;

namespace OrleansLicenses.Tests.Verification;

/// <summary>
/// Issue 13, lower findings: what a licence discloses follows the current catalogue, not the one it was issued under,
/// and a superseded version discloses its status only.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class DisclosureRulesTests(ApiFixture fixture)
{
    private const string Purpose = "办理食品经营许可变更";

    [Fact]
    public async Task ASupersededVersion_AnswersItsStatusOnly_ToVerifiersAndThePublic()
    {
        using var w = await VerificationWorld.SetUpAsync(fixture);
        (await w.Issuer.PostAsJsonAsync($"/api/licenses/{w.LicenseId}/changes", new
        {
            fields = new { address = "哈尔滨市道里区新址路8号" }, reason = "经营场所变更",
        })).EnsureSuccessStatusCode();

        using var verified = await w.InScopeHall.PostAsJsonAsync("/api/verifications", new
        {
            licenseId = w.LicenseId, holder = new { idType = "001", idNumber = w.HolderCode }, matterCode = Demo.FoodMatter, purpose = Purpose,
            compare = new Dictionary<string, string> { ["address"] = "哈尔滨市南岗区示例路1号" },
        });
        var old = await verified.ReadJson();
        Assert.False(old.GetProperty("valid").GetBoolean());
        Assert.Contains("superseded", old.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()));
        Assert.Empty(old.GetProperty("license").GetProperty("fields").EnumerateObject());
        Assert.Equal(JsonValueKind.Null, old.GetProperty("license").GetProperty("holderName").ValueKind);
        Assert.Equal(JsonValueKind.Null, old.GetProperty("comparison").ValueKind);

        using var anonymous = fixture.Anonymous();
        var publicOld = await (await anonymous.GetAsync($"/api/public/licenses/{w.LicenseId}")).ReadJson();
        Assert.False(publicOld.GetProperty("current").GetBoolean());
        Assert.Empty(publicOld.GetProperty("fields").EnumerateObject());
        Assert.Equal(JsonValueKind.Null, publicOld.GetProperty("holderName").ValueKind);
    }

    [Fact]
    public async Task ATypeMadeStricter_IsStricterForLicencesIssuedBefore()
    {
        using var w = await VerificationWorld.SetUpAsync(fixture);
        using var admin = await fixture.AsAdminAsync();
        try
        {
            // Issued while the address was public; then the catalogue stops disclosing it.
            var stricter = JsonSerializer.SerializeToNode(Demo.FoodTypeBody())!;
            stricter["publicFields"] = new System.Text.Json.Nodes.JsonArray("category");
            (await admin.PutAsJsonAsync($"/api/catalog/types/{Demo.FoodType}", stricter)).EnsureSuccessStatusCode();

            using var presented = await w.Holder.PostAsJsonAsync($"/api/me/licenses/{w.LicenseId}/presentations", new { purpose = Purpose });
            var token = (await presented.ReadJson()).GetProperty("token").GetString();
            // The Qiqihar hall's scope does not cover the food matter: it sees the public fields only.
            var outOfScope = await (await w.OutOfScopeHall.PostAsJsonAsync("/api/verifications",
                new { presentationToken = token, matterCode = Demo.FoodMatter, purpose = Purpose })).ReadJson();
            Assert.True(outOfScope.GetProperty("valid").GetBoolean());
            Assert.Equal(["category"], outOfScope.GetProperty("license").GetProperty("fields").EnumerateObject().Select(f => f.Name));

            using var anonymous = fixture.Anonymous();
            var publicView = await (await anonymous.GetAsync($"/api/public/licenses/{w.LicenseId}")).ReadJson();
            Assert.Equal(["category"], publicView.GetProperty("fields").EnumerateObject().Select(f => f.Name));
        }
        finally
        {
            (await admin.PutAsJsonAsync($"/api/catalog/types/{Demo.FoodType}", Demo.FoodTypeBody())).EnsureSuccessStatusCode();
        }
    }
}
