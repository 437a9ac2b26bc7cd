using System.Net;
using System.Text;

namespace OrleansLicenses.ApiHost.Copies;

/// <summary>
/// The printable archive copy (加注件) as HTML, the default form: the licence face as disclosed to the verifying unit
/// under the catalogue's element names, the purpose, the time and the unit, under a repeated "仅用于…" watermark so
/// the copy cannot be reused for another purpose. The PDF form (<see cref="ArchivePdf"/>) prints the same content.
/// </summary>
public static class ArchiveCopy
{
    public static string Render(CopyContent c)
    {
        ArgumentNullException.ThrowIfNull(c);
        static string E(string? s) => WebUtility.HtmlEncode(s ?? "");
        var watermark = E($"{c.Watermark}（{c.Record.MatterCode}）· {c.UsedAt} · {c.UnitName}");
        var rows = new StringBuilder();
        foreach (var line in c.Face)
        {
            rows.Append("<tr><th scope=\"row\">").Append(E(line.Name)).Append("</th><td>").Append(E(line.Value)).Append("</td></tr>");
        }

        var use = string.Join("<br>", c.UseLines.Select(l => $"{E(l.Name)}：{E(l.Value)}"));
        return $$"""
            <!DOCTYPE html>
            <html lang="zh-CN"><head><meta charset="utf-8"><title>用证存档 {{E(c.Record.VerificationId)}}</title>
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <style>
              body { font-family: "WenQuanYi Zen Hei", "Noto Sans CJK SC", sans-serif; margin: 2em; position: relative; color: #111; }
              .wm { position: fixed; inset: 0; pointer-events: none; opacity: .12; font-size: 28px; transform: rotate(-30deg);
                    display: flex; flex-wrap: wrap; gap: 4em; align-content: space-around; justify-content: space-around; }
              table { border-collapse: collapse; } th, td { border: 1px solid #999; padding: .3em .8em; text-align: left; }
            </style></head><body>
            <div class="wm" aria-hidden="true">{{string.Concat(Enumerable.Repeat($"<span>{watermark}</span>", 24))}}</div>
            <h1>{{E(c.Title)}}</h1>
            <p>证照标识：{{E(c.Record.LicenseIdentifier)}}<br>持证主体：{{E(c.Holder)}}<br>
               有效期：{{E(c.Validity)}}<br>
               查验结果：{{E(c.Result)}}</p>
            <table>{{rows}}</table>
            <p>{{use}}</p>
            <p>证照状态查询：{{E(c.PublicCheckUrl)}}</p>
            <p><strong>{{watermark}}</strong>，他用无效。</p>
            </body></html>
            """;
    }
}
