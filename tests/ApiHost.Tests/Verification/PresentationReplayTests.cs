using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrleansLicenses.Tests.Infrastructure;

namespace OrleansLicenses.Tests.Verification;

/// <summary>
/// Issue 13: a presentation code (亮证码) cannot be replayed or relayed. It is spent by the verifications it entitles
/// (one unless the holder allowed up to five), only by the unit that used it first, and a new activation of the licence
/// still knows what earlier ones spent.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class PresentationReplayTests(ApiFixture fixture)
{
    private const string Purpose = "办理食品经营许可变更";

    [Fact]
    public async Task SingleUseByDefault_ASecondUseAnswersPresentationUsed_AndDisclosesNothing()
    {
        using var w = await VerificationWorld.SetUpAsync(fixture);
        var token = await PresentAsync(w, maxUses: null);

        var first = await VerifyAsync(w.InScopeHall, token);
        Assert.True(first.GetProperty("valid").GetBoolean());
        Assert.NotEmpty(first.GetProperty("license").GetProperty("fields").EnumerateObject());

        var again = await VerifyAsync(w.InScopeHall, token);
        Assert.False(again.GetProperty("valid").GetBoolean());
        Assert.Equal(["presentation_used"], again.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()));
        var license = again.GetProperty("license");
        Assert.Empty(license.GetProperty("fields").EnumerateObject());
        Assert.Equal(JsonValueKind.Null, license.GetProperty("holderName").ValueKind);

        // The holder sees both: the use and the refused reuse.
        var usage = await (await w.Holder.GetAsync("/api/me/usage")).ReadJson();
        Assert.Equal([false, true], usage.GetProperty("items").EnumerateArray().Select(u => u.GetProperty("valid").GetBoolean()));
    }

    [Fact]
    public async Task ACodeIsBoundToTheFirstUnit_AndSpentAfterItsUses()
    {
        using var w = await VerificationWorld.SetUpAsync(fixture);
        var token = await PresentAsync(w, maxUses: 3);

        Assert.True((await VerifyAsync(w.InScopeHall, token)).GetProperty("valid").GetBoolean());
        // Relayed to another hall: refused, and the refusal spends none of the first hall's uses.
        var relayed = await VerifyAsync(w.OutOfScopeHall, token);
        Assert.Equal(["presentation_used"], relayed.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()));
        Assert.True((await VerifyAsync(w.InScopeHall, token)).GetProperty("valid").GetBoolean());
        Assert.True((await VerifyAsync(w.InScopeHall, token)).GetProperty("valid").GetBoolean());
        Assert.False((await VerifyAsync(w.InScopeHall, token)).GetProperty("valid").GetBoolean());
    }

    [Fact]
    public async Task ASpentCodeStaysSpent_AfterTheLicenceIsActivatedAgain()
    {
        using var w = await VerificationWorld.SetUpAsync(fixture);
        var token = await PresentAsync(w, maxUses: null);
        Assert.True((await VerifyAsync(w.InScopeHall, token)).GetProperty("valid").GetBoolean());

        var grains = fixture.Silos.Hosts[0].Services.GetRequiredService<IGrainFactory>();
        await grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

        var again = await VerifyAsync(w.InScopeHall, token);
        Assert.Equal(["presentation_used"], again.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(6)]
    public async Task MoreThanFiveUses_OrNone_IsABadRequestNamingMaxUses(int maxUses)
    {
        using var w = await VerificationWorld.SetUpAsync(fixture);
        await ProblemAssert.IsValidationProblem(
            await w.Holder.PostAsJsonAsync($"/api/me/licenses/{w.LicenseId}/presentations", new { purpose = Purpose, maxUses }), "maxUses");
    }

    private static async Task<string> PresentAsync(VerificationWorld w, int? maxUses)
    {
        using var response = await w.Holder.PostAsJsonAsync($"/api/me/licenses/{w.LicenseId}/presentations", new { purpose = Purpose, maxUses });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.ReadJson();
        Assert.Equal(maxUses ?? 1, body.GetProperty("maxUses").GetInt32());
        return body.GetProperty("token").GetString()!;
    }

    private static async Task<JsonElement> VerifyAsync(HttpClient hall, string token)
    {
        using var response = await hall.PostAsJsonAsync("/api/verifications", new { presentationToken = token, matterCode = Demo.FoodMatter, purpose = Purpose });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadJson();
    }
}
