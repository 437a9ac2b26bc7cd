using System.Net;
using System.Net.Http.Json;
using OrleansLicenses.Tests.Infrastructure;
using OrleansLicenses.Tests.Licenses;

namespace OrleansLicenses.Tests.Audit;

/// <summary>
/// Its own deployment, because the silos' audit chains are tampered with; two journal lanes per silo, so that one
/// silo writes more than one chain (the default is one).
/// </summary>
public sealed class SiloChainFixture : ApiFixture
{
    protected override IReadOnlyDictionary<string, string?> SiloSettings { get; } = new Dictionary<string, string?> { ["Journal:Lanes"] = "2" };
}

/// <summary>
/// Verifications are audited on the silos' own chains; the checkpoint anchors those chains in the main chain, so
/// the verifier finds a silo chain's deleted record, and a silo chain deleted whole.
/// </summary>
public sealed class SiloChainTests(SiloChainFixture fixture) : IClassFixture<SiloChainFixture>
{
    [Fact]
    public async Task SiloChains_AreVerified_AndARemovedRecordOrAWholeRemovedChainIsReported()
    {
        using var admin = await fixture.AsAdminAsync();
        await Demo.SeedAsync(admin);
        var (issuerId, issuerSecret) = await fixture.RegisterClientAsync("issuer", Demo.HarbinMarket);
        var (hallId, hallSecret) = await fixture.RegisterClientAsync("verifier", Demo.HarbinCentre);
        using var issuer = await fixture.AsClientAsync(issuerId, issuerSecret);
        using var hall = await fixture.AsClientAsync(hallId, hallSecret);
        var holder = LicenseApiTests.NewCompany();
        var license = await (await issuer.PostAsJsonAsync("/api/licenses", LicenseApiTests.IssueBody(holder))).ReadJson();
        var body = new
        {
            licenseId = license.GetProperty("id").GetString(),
            holder = new { idType = "001", idNumber = holder },
            matterCode = Demo.FoodMatter,
            purpose = "silo-chain-test",
        };
        // The silo journal spreads verifications over its lanes, one chain each: six of them fill more than one chain.
        for (var i = 0; i < 6; i++)
        {
            using var verified = await hall.PostAsJsonAsync("/api/verifications", body);
            Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        }

        Assert.Equal(6L, await fixture.ScalarAsync("SELECT count(*) FROM audit_records WHERE purpose = 'silo-chain-test' AND chain_id LIKE 'silo-%'"));
        Assert.True((long)(await fixture.ScalarAsync("SELECT count(DISTINCT chain_id) FROM audit_records WHERE purpose = 'silo-chain-test'"))! > 1);
        var chain = (string)(await fixture.ScalarAsync(
            "SELECT chain_id FROM audit_records WHERE purpose = 'silo-chain-test' GROUP BY chain_id ORDER BY count(*) DESC, chain_id LIMIT 1"))!;
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/api/admin/audit/checkpoints", null)).StatusCode);
        var intact = await (await admin.GetAsync("/api/admin/audit/verify")).ReadJson();
        Assert.True(intact.GetProperty("intact").GetBoolean(), intact.ToString());
        Assert.True(intact.GetProperty("siloChains").GetInt32() >= 1);

        var last = (long)(await fixture.ScalarAsync("SELECT max(seq) FROM audit_records WHERE chain_id = $1", chain))!;
        await AuditTamper.RunAsync(fixture.ConnectionString, "DELETE FROM audit_records WHERE chain_id = $1 AND seq = $2", chain, last - 1);
        var gap = (await (await admin.GetAsync("/api/admin/audit/verify")).ReadJson()).GetProperty("firstBreak");
        Assert.Equal("missing_record", gap.GetProperty("reason").GetString());
        Assert.Equal(chain, gap.GetProperty("chain").GetString());

        await AuditTamper.RunAsync(fixture.ConnectionString, [
            ("DELETE FROM audit_records WHERE chain_id = $1", [chain]),
            ("DELETE FROM audit_chains WHERE chain_id = $1", [chain])]);
        var gone = (await (await admin.GetAsync("/api/admin/audit/verify")).ReadJson()).GetProperty("firstBreak");
        Assert.Equal("truncated", gone.GetProperty("reason").GetString());
        Assert.Equal(chain, gone.GetProperty("chain").GetString());
    }
}
