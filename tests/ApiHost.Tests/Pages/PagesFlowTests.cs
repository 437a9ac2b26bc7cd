using System.Security.Cryptography;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using OrleansLicenses.Identifiers;
using OrleansLicenses.Tests.Infrastructure;

namespace OrleansLicenses.Tests.Pages;

/// <summary>
/// The people's pages in a real browser (headless Debian Chromium): a holder presents a licence, the hall verifies and
/// compares it and prints the archive copy as PDF, the holder sees the use; the public page explains a wrong check
/// character. A few long flows rather than many small ones: a browser step costs far more than an API call.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class PagesFlowTests(BrowserFixture fixture)
{
    private const string Purpose = "办理食品经营许可变更";

    [Fact]
    public async Task HolderPresents_HallVerifiesWithElementNames_PrintsThePdf_ComparesAField_AndTheHolderSeesTheUse()
    {
        // The holder, on a phone-sized screen.
        var holder = await fixture.NewPageAsync(360, 780);
        await holder.GotoAsync("/me");
        await holder.GetByLabel("证件号码").FillAsync(fixture.HolderCode);
        await holder.GetByLabel("名称 / 姓名").FillAsync(BrowserFixture.CompanyName);
        await holder.GetByRole(AriaRole.Button, new() { Name = "登录" }).ClickAsync();
        await Expect(holder.Locator("#licenses")).ToContainTextAsync("食品经营许可证");
        await Expect(holder.Locator("#licenses")).ToContainTextAsync(fixture.LicenseId);
        await AssertUsableAsync(holder, 360);

        await holder.GetByRole(AriaRole.Button, new() { Name = "亮证：食品经营许可证" }).ClickAsync();
        await holder.GetByLabel("可查验次数（同一单位）").SelectOptionAsync("2");
        await holder.GetByRole(AriaRole.Button, new() { Name = "生成亮证码" }).ClickAsync();
        await Expect(holder.Locator("#qr-image")).ToBeVisibleAsync();
        Assert.True(await holder.Locator("#qr-image").EvaluateAsync<bool>("img => img.complete && img.naturalWidth > 100"), "the QR code image did not render");
        await Expect(holder.Locator("#countdown")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^[45]:[0-5][0-9]$"));
        var token = await holder.Locator("#qr-token").InputValueAsync();
        Assert.False(string.IsNullOrWhiteSpace(token));
        await fixture.ScreenshotAsync(holder, "me");

        // The hall officer, on a workstation.
        var hall = await fixture.NewPageAsync(1280);
        await hall.GotoAsync("/hall");
        await hall.GetByLabel("客户端标识").FillAsync(fixture.Hall.Id);
        await hall.GetByLabel("客户端密钥").FillAsync(fixture.Hall.Secret);
        await hall.GetByRole(AriaRole.Button, new() { Name = "登录" }).ClickAsync();
        await Expect(hall.Locator("#who")).ToContainTextAsync("哈尔滨市政务服务中心");
        await Expect(hall.GetByLabel("用证事由")).ToHaveValueAsync(Purpose); // suggested from the matter's name
        await AssertUsableAsync(hall, 1280);
        await hall.GetByLabel("办件编号（可选）").FillAsync("2301002026120100001");
        await hall.GetByLabel("经办人（可选）").FillAsync("李四海");
        await hall.GetByLabel("亮证码（扫码枪录入或粘贴）").FillAsync(token);
        await hall.GetByRole(AriaRole.Button, new() { Name = "查验亮证码" }).ClickAsync();
        await Expect(hall.Locator("#verdict")).ToHaveTextAsync("✔ 有效");
        // The face under the catalogue's element names, not its keys.
        await Expect(hall.Locator("#face")).ToContainTextAsync("经营者名称");
        await Expect(hall.Locator("#face")).ToContainTextAsync(BrowserFixture.CompanyName);
        Assert.DoesNotContain("operatorName", await hall.Locator("#result").InnerTextAsync(), StringComparison.Ordinal);
        var verificationId = await hall.Locator("#verification-id").InnerTextAsync();

        var download = await hall.RunAndWaitForDownloadAsync(() => hall.GetByRole(AriaRole.Button, new() { Name = "加注件（PDF）" }).ClickAsync());
        var pdfPath = Path.Combine(fixture.Artifacts, $"copy-{verificationId}.pdf");
        await download.SaveAsAsync(pdfPath);
        var text = await ArchivePdfTests.PdfTextAsync(pdfPath);
        Assert.Contains("食品经营许可证（加注件）", text, StringComparison.Ordinal);
        Assert.Contains("经营者名称", text, StringComparison.Ordinal);
        Assert.Contains(BrowserFixture.Address, text, StringComparison.Ordinal);
        Assert.Contains($"仅用于{Purpose}", text, StringComparison.Ordinal);
        Assert.Contains(verificationId, text, StringComparison.Ordinal);
        Assert.Contains("2301002026120100001", text, StringComparison.Ordinal);
        Assert.Contains("哈尔滨市政务服务中心", text, StringComparison.Ordinal);
        Assert.DoesNotContain("operatorName", text, StringComparison.Ordinal);
        // The copy's hash is in the use archive, so the printed copy can be checked later.
        var stored = await fixture.ScalarAsync("SELECT string_agg(sha256, ',') FROM license_use_copies WHERE verification_id = $1", Guid.Parse(verificationId));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(pdfPath))), stored);
        await fixture.ScreenshotAsync(hall, "hall");

        // The second use the holder allowed: a comparison, which answers match/mismatch and shows no face.
        await hall.GetByLabel("经营者名称").FillAsync(BrowserFixture.CompanyName);
        await hall.GetByLabel("经营场所").FillAsync("哈尔滨市道里区别处2号");
        await hall.GetByRole(AriaRole.Button, new() { Name = "查验亮证码" }).ClickAsync();
        await Expect(hall.Locator("#comparison tr", new() { HasText = "经营者名称" }).Locator(".badge")).ToHaveTextAsync("一致");
        await Expect(hall.Locator("#comparison tr", new() { HasText = "经营场所" }).Locator(".badge")).ToHaveTextAsync("不一致");
        await Expect(hall.Locator("#face")).ToHaveCountAsync(0);
        await fixture.ScreenshotAsync(hall, "hall-compare");

        // A third verification of the same code is refused, in plain Chinese.
        await hall.GetByRole(AriaRole.Button, new() { Name = "查验亮证码" }).ClickAsync();
        await Expect(hall.Locator("#result")).ToContainTextAsync("亮证码已被使用过");

        // The holder sees who used the licence, for what, with the case number.
        await holder.GetByRole(AriaRole.Button, new() { Name = "刷新" }).ClickAsync();
        var usage = holder.Locator("#usage");
        await Expect(usage).ToContainTextAsync("哈尔滨市政务服务中心");
        await Expect(usage).ToContainTextAsync(Purpose);
        await Expect(usage).ToContainTextAsync("2301002026120100001");
        await Expect(usage).ToContainTextAsync("李**");
        await Expect(usage).ToContainTextAsync("查验未通过"); // the refused third verification is in the archive too
        await AssertUsableAsync(holder, 360);
        await fixture.ScreenshotAsync(holder, "me-usage");
    }

    [Fact]
    public async Task PublicPage_ShowsAPublicLicenceUnderElementNames_AndExplainsAWrongCheckCharacter()
    {
        var page = await fixture.NewPageAsync(360, 780);
        await page.GotoAsync("/");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "公示查询" })).ToBeVisibleAsync();
        await fixture.ScreenshotAsync(page, "index");

        await page.GotoAsync("/public");
        await page.GetByLabel("电子证照标识").FillAsync(fixture.LicenseId);
        await page.GetByRole(AriaRole.Button, new() { Name = "查询" }).ClickAsync();
        await Expect(page.Locator("#answer")).ToContainTextAsync("食品经营许可证：有效");
        await Expect(page.Locator("#answer")).ToContainTextAsync("经营者名称");
        await Expect(page.Locator("#answer")).ToContainTextAsync("主体业态");

        Assert.True(LicenseIdentifier.TryParse(fixture.LicenseId, out var identifier, out _));
        var wrong = identifier.Check == 'A' ? 'B' : 'A';
        await page.GetByLabel("电子证照标识").FillAsync(fixture.LicenseId[..^1] + wrong);
        await page.GetByRole(AriaRole.Button, new() { Name = "查询" }).ClickAsync();
        await Expect(page.Locator("#identifier-error")).ToContainTextAsync($"校验位应为 {identifier.Check}");
        await Expect(page.Locator("#answer")).ToContainTextAsync("← 此段有误");
        await AssertUsableAsync(page, 360);
        await fixture.ScreenshotAsync(page, "public");
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    /// <summary>No horizontal scrolling at the page's width, and every visible form control has a label.</summary>
    private static async Task AssertUsableAsync(IPage page, int width)
    {
        Assert.True(await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth") <= width, $"{page.Url} scrolls sideways at {width} px");
        var unlabelled = await page.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll('input, select, textarea')]
                .filter(e => e.offsetParent !== null && e.labels.length === 0 && !e.getAttribute('aria-label'))
                .map(e => e.id || e.name || e.outerHTML)
            """);
        Assert.Empty(unlabelled);
        // axe-core's WCAG 2 A/AA rules (contrast, names, roles, landmarks): no serious or critical violation.
        var axe = await page.RunAxe(new AxeRunOptions { RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa"] } });
        var serious = axe.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Id}: {v.Help} ({string.Join(", ", v.Nodes.Take(3).Select(n => n.Html))})").ToList();
        Assert.True(serious.Count == 0, $"{page.Url}: {string.Join("\n", serious)}");
    }
}
