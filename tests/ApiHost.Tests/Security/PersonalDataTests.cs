using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using OrleansLicenses.Identifiers;
using OrleansLicenses.Tests.Infrastructure;

namespace OrleansLicenses.Tests.Security;

/// <summary>Natural persons' id numbers never appear in full in logs or in answers to callers not entitled to them.</summary>
[Collection(ApiCollection.Name)]
public sealed partial class PersonalDataTests(ApiFixture fixture)
{
    private const string PhysicianType = "112300000000000358001";
    private const string ProvinceHealth = "112300000000000358";
    private const string HarbinHealth = "112301000000000513";

    [Fact]
    public async Task PersonHolderFlows_LeaveNoUnmaskedCitizenIdInTheLogsOfTheWholeRun()
    {
        using var admin = await fixture.AsAdminAsync();
        (await admin.PutAsJsonAsync($"/api/catalog/types/{PhysicianType}", new
        {
            name = "医师执业证书", definingAuthorityCode = ProvinceHealth, holderCategory = "person",
            fields = new object[]
            {
                new { key = "name", name = "姓名", type = "string", required = true },
                new { key = "idNumber", name = "身份证号", type = "idNumber", required = true },
                new { key = "practiceCategory", name = "执业类别", type = "enum", required = true, values = new[] { "临床", "中医" } },
            },
            validity = new { longTerm = true }, publicDisclosure = true, publicFields = new[] { "name", "practiceCategory" },
            sensitivity = "personal", multipleInstances = false,
        })).EnsureSuccessStatusCode();
        (await admin.PutAsJsonAsync($"/api/units/{ProvinceHealth}", Demo.Unit("黑龙江省卫生健康委员会", "230000", "province", null, [PhysicianType]))).EnsureSuccessStatusCode();
        (await admin.PutAsJsonAsync($"/api/units/{HarbinHealth}", Demo.Unit("哈尔滨市卫生健康委员会", "230100", "city", ProvinceHealth, [PhysicianType]))).EnsureSuccessStatusCode();
        var (issuerId, issuerSecret) = await fixture.RegisterClientAsync("issuer", HarbinHealth);
        using var issuer = await fixture.AsClientAsync(issuerId, issuerSecret);

        var citizen = TestCodes.CitizenId("230102", new DateOnly(1985, 6, 15), Random.Shared.Next(100, 999));
        var license = await (await issuer.PostAsJsonAsync("/api/licenses", new
        {
            typeCode = PhysicianType, holder = new { idType = "111", idNumber = citizen, name = "张医生" },
            fields = new { name = "张医生", idNumber = citizen, practiceCategory = "临床" }, validFrom = TestCalendar.Iso(),
        })).ReadJson();
        var id = license.GetProperty("id").GetString()!;
        // A second live licence, a refused transition and an invalid body all produce log lines and problems.
        await issuer.PostAsJsonAsync("/api/licenses", new
        {
            typeCode = PhysicianType, holder = new { idType = "111", idNumber = citizen, name = "张医生" },
            fields = new { name = "张医生", idNumber = citizen, practiceCategory = "临床" }, validFrom = TestCalendar.Iso(),
        });
        await issuer.PostAsJsonAsync($"/api/licenses/{id}/events", new { type = "reinstate", reason = "x" });
        using var holder = await fixture.AsHolderAsync("111", citizen, "张医生");
        await holder.GetAsync("/api/me/licenses");
        await holder.PostAsJsonAsync($"/api/me/licenses/{id}/presentations", new { purpose = "就诊备案" });

        // Answers to those not entitled to the full number carry it masked.
        using var anonymous = fixture.Anonymous();
        var pub = await anonymous.GetStringAsync($"/api/public/licenses/{id}");
        Assert.DoesNotContain(citizen, pub, StringComparison.Ordinal);
        var inspected = await admin.GetStringAsync($"/api/admin/grains/license/{id}");
        Assert.DoesNotContain(citizen, inspected, StringComparison.Ordinal);
        Assert.Contains(CitizenId.Mask(citizen), inspected, StringComparison.Ordinal);
        var listed = await issuer.GetStringAsync("/api/licenses?holder=111:" + citizen);
        Assert.DoesNotContain(citizen, listed, StringComparison.Ordinal);

        var today = TestCalendar.Today;
        var leaks = LogSink.Lines.SelectMany(line => EighteenCharacters().Matches(line).Select(m => (line, m.Value)))
            .Where(x => CitizenId.IsValid(x.Value, today)).Select(x => x.line).Distinct().Take(5).ToList();
        Assert.True(LogSink.Lines.Count > 0, "the log sink captured nothing, so the sweep would prove nothing");
        Assert.True(leaks.Count == 0, $"unmasked citizen id numbers in the logs:\n{string.Join('\n', leaks)}");
    }

    [GeneratedRegex("(?<![0-9])[0-9]{17}[0-9X](?![0-9A-Z])")]
    private static partial Regex EighteenCharacters();
}
