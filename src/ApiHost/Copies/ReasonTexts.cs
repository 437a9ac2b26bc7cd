namespace OrleansLicenses.ApiHost.Copies;

/// <summary>
/// The verification reason codes and licence statuses in plain Chinese, as the archive copy prints them. The pages
/// carry the same table (wwwroot/js/zh.js); a code without an entry is shown as it is, never hidden.
/// </summary>
public static class ReasonTexts
{
    private static readonly Dictionary<string, string> Reasons = new(StringComparer.Ordinal)
    {
        ["expired"] = "证照已过有效期",
        ["suspended"] = "证照被暂扣",
        ["not-yet-valid"] = "证照尚未生效",
        ["superseded"] = "该版本已被新版本替代（证照已变更）",
        ["revoked"] = "证照已被吊销",
        ["withdrawn"] = "证照已被撤销",
        ["cancelled"] = "证照已注销",
        ["transferred"] = "证照已转出",
        ["abolished"] = "证照已废止",
        ["presentation_used"] = "亮证码已被使用过（一码一用），请持证人重新亮证",
    };

    private static readonly Dictionary<string, string> Statuses = new(StringComparer.Ordinal)
    {
        ["valid"] = "有效",
        ["suspended"] = "暂扣",
        ["withdrawn"] = "撤销",
        ["cancelled"] = "注销",
        ["expired"] = "失效",
        ["transferred"] = "转出",
        ["revoked"] = "吊销",
        ["abolished"] = "废止",
    };

    public static string Reason(string code) => Reasons.TryGetValue(code, out var text) ? text : code;

    public static string Status(string code) => Statuses.TryGetValue(code, out var text) ? text : code;
}
