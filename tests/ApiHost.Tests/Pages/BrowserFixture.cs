using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Playwright;
using OrleansLicenses.Tests.Infrastructure;
using OrleansLicenses.Tests.Licenses;

namespace OrleansLicenses.Tests.Pages;

/// <summary>
/// The platform served by Kestrel on a free loopback port (the browser needs a real socket), the demo catalogue and
/// units, a hall client, an issuer and one issued licence, and Debian's Chromium driven headless by Playwright.
/// Playwright's own browsers are never downloaded: the tests fail with a plain message when /usr/bin/chromium is absent.
/// </summary>
public sealed class BrowserFixture : ApiFixture, IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";
    public const string CompanyName = "哈尔滨示例餐饮有限公司";
    public const string Address = "哈尔滨市南岗区示例路1号";

    private IPlaywright? playwright;

    public Uri BaseAddress => Factory.ClientOptions.BaseAddress;

    public IBrowser Browser { get; private set; } = null!;

    public (string Id, string Secret) Hall { get; private set; }

    public string HolderCode { get; } = LicenseApiTests.NewCompany();

    public string LicenseId { get; private set; } = "";

    /// <summary>Where the screenshots go (a test artifact): <c>bin/…/artifacts/pages</c>.</summary>
    public string Artifacts { get; } = Path.Combine(AppContext.BaseDirectory, "artifacts", "pages");

    /// <summary>
    /// Any free loopback port: the configured <c>Urls</c> (appsettings: 127.0.0.1:5000) would otherwise win over
    /// <c>UseKestrel(0)</c> and collide with another Kestrel fixture or a local platform.
    /// </summary>
    protected override void ConfigureHost(IWebHostBuilder web) => web.UseSetting("Urls", "http://127.0.0.1:0");

    protected override void Start(WebApplicationFactory<Program> factory)
    {
        factory.UseKestrel(0);
        factory.StartServer();
    }

    public new async Task InitializeAsync()
    {
        await base.InitializeAsync();
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} is missing: apt-get install chromium (the browser tests use Debian's Chromium).");
        }

        Directory.CreateDirectory(Artifacts);
        using (var admin = await AsAdminAsync())
        {
            await Demo.SeedAsync(admin);
        }

        Hall = await RegisterClientAsync("verifier", Demo.HarbinCentre);
        var (issuerId, issuerSecret) = await RegisterClientAsync("issuer", Demo.HarbinMarket);
        using var issuer = await AsClientAsync(issuerId, issuerSecret);
        using var issued = await issuer.PostAsJsonAsync("/api/licenses", new
        {
            typeCode = Demo.FoodType,
            holder = new { idType = "001", idNumber = HolderCode, name = CompanyName },
            fields = new { operatorName = CompanyName, address = Address, category = "餐饮服务经营者" },
            validFrom = TestCalendar.Iso(),
        });
        if (issued.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"issuing the test licence: {(int)issued.StatusCode} {await issued.Content.ReadAsStringAsync()}");
        }

        LicenseId = (await issued.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetString()!;
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    /// <summary>A fresh browser context (its own session storage) on the platform, at a given viewport width.</summary>
    public async Task<IPage> NewPageAsync(int width, int height = 900)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = "zh-CN",
            AcceptDownloads = true,
        });
        context.SetDefaultTimeout(15_000);
        return await context.NewPageAsync();
    }

    public async Task ScreenshotAsync(IPage page, string name) =>
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Artifacts, name + ".png"), FullPage = true });

    public override async Task DisposeAsync()
    {
        if (playwright is not null)
        {
            await Browser.DisposeAsync();
            playwright.Dispose();
        }

        await base.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}
