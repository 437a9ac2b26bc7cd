using System.Globalization;
using OrleansLicenses.ApiHost.Apis;
using OrleansLicenses.Catalog;

namespace OrleansLicenses.ApiHost.Copies;

/// <summary>One face element as printed: the catalogue's name for it and its value.</summary>
public sealed record FaceLine(string Name, string Value);

/// <summary>
/// What an archive copy (加注件) shows, in the words it prints, for both the HTML and the PDF form: the face elements
/// under the catalogue's names in catalogue order, the result in plain Chinese, the purpose mark and the use.
/// </summary>
public sealed record CopyContent(
    VerificationApi.UseRecordView Record, string UnitName, IReadOnlyList<FaceLine> Face, string Result, string Watermark, string UsedAt,
    string PublicCheckUrl)
{
    private static readonly TimeSpan ChinaStandardTime = TimeSpan.FromHours(8);

    public string Title => $"{Record.License.TypeName}（加注件）";

    public string Validity => $"{Day(Record.License.ValidFrom)} 至 {(Record.License.ValidUntil is { } until ? Day(until) : "长期")}";

    public string Holder => $"{Record.License.HolderName} {Record.License.HolderIdNumber}".Trim();

    public static CopyContent Build(VerificationApi.UseRecordView record, LicenseTypeView? type, string? unitName, string publicCheckUrl)
    {
        ArgumentNullException.ThrowIfNull(record);
        var usedAt = record.UsedAt.ToOffset(ChinaStandardTime).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + "（北京时间）";
        var result = record.Valid
            ? "有效"
            : $"无效：{string.Join("；", record.Reasons.Select(ReasonTexts.Reason))}";
        var watermark = $"仅用于{record.Purpose}";
        return new CopyContent(record, unitName ?? record.UnitCode, FaceOf(record, type), $"{result}（状态：{ReasonTexts.Status(record.Status)}）",
            watermark, usedAt, publicCheckUrl);
    }

    /// <summary>The disclosed elements in catalogue order under their names; an element the catalogue no longer lists keeps its key.</summary>
    private static List<FaceLine> FaceOf(VerificationApi.UseRecordView record, LicenseTypeView? type)
    {
        var fields = record.License.Fields;
        var defined = type?.Definition.Fields ?? [];
        var lines = defined.Where(f => fields.ContainsKey(f.Key)).Select(f => new FaceLine(f.Name, fields[f.Key])).ToList();
        lines.AddRange(fields.Where(f => defined.All(d => d.Key != f.Key)).OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => new FaceLine(f.Key, f.Value)));
        return lines;
    }

    /// <summary>The use, line by line, as both forms print it below the face.</summary>
    public IReadOnlyList<FaceLine> UseLines =>
    [
        new("用证单位", $"{UnitName}（{Record.UnitCode}）"),
        new("用证事项", Record.MatterCode),
        new("用证事由", Record.Purpose),
        new("用证时间", UsedAt),
        new("存档编号", Record.VerificationId),
        new("办件编号", Record.CaseNumber ?? "—"),
        new("经办人", Record.OperatorName ?? "—"),
        new("文档摘要（SHA-256）", Record.DocumentHash),
    ];

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
