using System.Net;
using System.Net.Http.Json;
using OrleansLicenses.Tests.Infrastructure;
using OrleansLicenses.Tests.Licenses;

namespace OrleansLicenses.Tests.Webhooks;

/// <summary>A deployment of its own whose silos retry webhooks fast: 100 ms polls, 200 ms first backoff, 3 attempts.</summary>
public class WebhookFixture : ApiFixture
{
    protected virtual int MaxAttempts => 3;

    protected override IReadOnlyDictionary<string, string?> SiloSettings => new Dictionary<string, string?>
    {
        ["Webhooks:PollInterval"] = "00:00:00.100",
        ["Webhooks:InitialBackoff"] = "00:00:00.200",
        ["Webhooks:MaxBackoff"] = "00:00:00.500",
        ["Webhooks:Timeout"] = "00:00:02",
        ["Webhooks:MaxAttempts"] = MaxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>The Harbin market's issuer (whose unit gets the filing's notice), a holder and their licence.</summary>
    public async Task<(HttpClient Admin, HttpClient Issuer, HttpClient Holder, string LicenseId)> WorldAsync()
    {
        var admin = await AsAdminAsync();
        await Demo.SeedAsync(admin);
        var (id, secret) = await RegisterClientAsync("issuer", Demo.HarbinMarket);
        var issuer = await AsClientAsync(id, secret);
        var holderCode = LicenseApiTests.NewCompany();
        using var issued = await issuer.PostAsJsonAsync("/api/licenses", LicenseApiTests.IssueBody(holderCode));
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        var licenseId = (await issued.ReadJson()).GetProperty("id").GetString()!;
        return (admin, issuer, await AsHolderAsync("001", holderCode, "哈尔滨示例餐饮有限公司"), licenseId);
    }

    /// <summary>Files a data correction as the holder; the issuing unit (Harbin market) gets a "filed" notice.</summary>
    public static async Task<string> FileAsync(HttpClient holder, string licenseId)
    {
        using var response = await holder.PostAsJsonAsync("/api/corrections",
            new { licenseId, fields = new { address = "哈尔滨市南岗区示例路2号" }, description = "经营场所门牌号有误", cause = "data" });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.ReadJson()).GetProperty("id").GetString()!;
    }

    /// <summary>Waits, with a bound, until the delivery of a correction's notice to a unit reaches <paramref name="status"/>.</summary>
    public async Task<int> AwaitDeliveryAsync(string correctionId, string status, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            var attempts = await ScalarAsync("SELECT attempts FROM webhook_deliveries WHERE correction_id = $1 AND status = $2", correctionId, status);
            if (attempts is int n)
            {
                return n;
            }

            await Task.Delay(50, cts.Token);
        }
    }
}
