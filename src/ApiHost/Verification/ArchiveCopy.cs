using System.Globalization;
using System.Net;
using System.Text;
using OrleansLicenses.ApiHost.Apis;

namespace OrleansLicenses.ApiHost.Verification;

/// <summary>
/// The printable archive copy (加注件): the licence face as disclosed to the verifying unit, the purpose, the time
/// and the unit, under a repeated "仅用于…" watermark so the copy cannot be reused for another purpose.
/// </summary>
public static class ArchiveCopy
{
    public static string Render(VerificationApi.UseRecordView r)
    {
        static string E(string? s) => WebUtility.HtmlEncode(s ?? "");
        var watermark = E($"仅用于{r.Purpose}（{r.MatterCode}）· {r.UsedAt.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} · {r.UnitCode}");
        var rows = new StringBuilder();
        foreach (var (key, value) in r.License.Fields)
        {
            rows.Append(CultureInfo.InvariantCulture, $"<tr><th>{E(key)}</th><td>{E(value)}</td></tr>");
        }

        var license = r.License;
        return $$"""
            <!DOCTYPE html>
            <html lang="zh-CN"><head><meta charset="utf-8"><title>用证存档 {{E(r.VerificationId)}}</title>
            <style>
              body { font-family: sans-serif; margin: 2em; position: relative; }
              .wm { position: fixed; inset: 0; pointer-events: none; opacity: .12; font-size: 28px; transform: rotate(-30deg);
                    display: flex; flex-wrap: wrap; gap: 4em; align-content: space-around; justify-content: space-around; }
              table { border-collapse: collapse; } th, td { border: 1px solid #999; padding: .3em .8em; text-align: left; }
            </style></head><body>
            <div class="wm">{{string.Concat(Enumerable.Repeat($"<span>{watermark}</span>", 24))}}</div>
            <h1>{{E(license.TypeName)}}（加注件）</h1>
            <p>证照标识：{{E(r.LicenseIdentifier)}}<br>持证主体：{{E(license.HolderName)}} {{E(license.HolderIdNumber)}}<br>
               有效期：{{E(Day(license.ValidFrom))}} 至 {{E(license.ValidUntil is { } until ? Day(until) : "长期")}}<br>
               查验结果：{{(r.Valid ? "有效" : "无效")}}（{{E(r.Status)}} {{E(string.Join(", ", r.Reasons))}}）</p>
            <table>{{rows}}</table>
            <p>用证单位：{{E(r.UnitCode)}}　用证事项：{{E(r.MatterCode)}}　用证事由：{{E(r.Purpose)}}<br>
               用证时间：{{E(r.UsedAt.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture))}}　存档编号：{{E(r.VerificationId)}}<br>
               办件编号：{{E(r.CaseNumber ?? "—")}}　经办人：{{E(r.OperatorName ?? "—")}}<br>
               文档摘要（SHA-256）：{{E(r.DocumentHash)}}</p>
            <p><strong>{{watermark}}</strong>，他用无效。</p>
            </body></html>
            """;
    }

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
