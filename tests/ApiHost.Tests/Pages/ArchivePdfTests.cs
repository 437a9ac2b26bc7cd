using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using OrleansLicenses.ApiHost.Apis;
using OrleansLicenses.ApiHost.Copies;
using OrleansLicenses.Catalog;
using OrleansLicenses.Verification;

namespace OrleansLicenses.Tests.Pages;

/// <summary>The PDF archive copy read back with poppler's pdftotext: element names, the watermark on every page, CJK text embedded.</summary>
public sealed class ArchivePdfTests
{
    [Fact]
    public async Task Render_LongFace_SpansPages_EachWithThePurposeMark_AndPrintsElementNamesNotKeys()
    {
        var fields = Enumerable.Range(1, 40).ToDictionary(i => $"element{i}", i => $"第{i}项的值：" + new string('长', 60), StringComparer.Ordinal);
        var type = new LicenseTypeView("11230000000000019J001", 1, new LicenseTypeDefinition("食品经营许可证", "11230000000000019J", "organization",
            [.. Enumerable.Range(1, 40).Select(i => new FieldDefinition($"element{i}", $"要素{i}名称", "string"))],
            new ValidityRule(5), true, [], "normal", false), [], DateTimeOffset.UnixEpoch, "admin");
        var record = new VerificationApi.UseRecordView(Guid.NewGuid().ToString(), DateTimeOffset.UnixEpoch, "11230100000000035D", "hall", "230100-FOOD-001",
            "办理食品经营许可变更", "scope", "1.2.156.3005.2.11230000000000019J001.11230100000000027J.2026000001.001.U", "001", new string('a', 64), true, "valid", [],
            new VerifiedLicense("1.2.156.3005.2.11230000000000019J001.11230100000000027J.2026000001.001.U", "11230000000000019J001", "食品经营许可证",
                "11230100000000027J", "001", "哈尔滨示例餐饮有限公司", "001", "91230102MA1B2C3D8J", new DateOnly(2026, 1, 1), null, fields),
            null, "CASE-1", "李四海", "verification");
        var content = CopyContent.Build(record, type, "哈尔滨市政务服务中心", "http://127.0.0.1/public?id=x");

        var pdf = new ArchivePdf(new ConfigurationBuilder().Build()).Render(content);

        var path = Path.Combine(Path.GetTempPath(), $"ol-copy-{Guid.NewGuid():N}.pdf");
        await File.WriteAllBytesAsync(path, pdf);
        try
        {
            var pages = (await PdfTextAsync(path)).Split('\f', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(pages.Length >= 2, $"expected several pages, got {pages.Length}");
            Assert.All(pages, p => Assert.Contains("仅用于办理食品经营许可变更", p, StringComparison.Ordinal));
            Assert.All(pages, p => Assert.Contains($"共 {pages.Length} 页", p, StringComparison.Ordinal));
            var all = string.Concat(pages);
            Assert.Contains("要素40名称", all, StringComparison.Ordinal);
            Assert.DoesNotContain("element40", all, StringComparison.Ordinal);
            Assert.Contains("哈尔滨市政务服务中心（11230100000000035D）", all, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    internal static async Task<string> PdfTextAsync(string path)
    {
        var start = new ProcessStartInfo("pdftotext", ["-enc", "UTF-8", path, "-"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("pdftotext did not start (apt-get install poppler-utils)");
        var text = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.Equal(0, process.ExitCode);
        return text;
    }
}
