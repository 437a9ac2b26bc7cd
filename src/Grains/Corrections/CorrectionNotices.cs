namespace OrleansLicenses.Corrections;

/// <summary>
/// Who is told what at each step (art. 15): the requester, the issuing unit and the operator at every step; an
/// escalation goes to the operator and the issuing unit's parent. Messages name the request and the licence's number,
/// never a person's id number.
/// </summary>
internal static class CorrectionNotices
{
    public const string Filed = "filed";
    public const string Resolved = "resolved";
    public const string Forwarded = "forwarded";
    public const string Answered = "answered";
    public const string Closed = "closed";
    public const string Escalated = "escalated";

    public static List<NotificationRow> Step(string id, CorrectionState s, string kind, string stage, DateTimeOffset at)
    {
        var message = kind switch
        {
            Filed => $"核查申请 {id} 已提交，待签发机构核查（{s.LicenseNumber}）",
            Resolved => $"核查申请 {id} 已由签发机构处理：{OutcomeText(s)}",
            Forwarded => $"核查申请 {id} 因技术原因已转交电子证照库管理机构",
            Answered => $"核查申请 {id} 已由电子证照库管理机构核查，待签发机构告知：{OutcomeText(s)}",
            Closed => $"核查申请 {id} 已办结：{OutcomeText(s)}",
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a step notice"),
        };
        return [.. new[] { s.Requester, Recipients.Unit(s.IssuerCode), Recipients.Operator }
            .Distinct(StringComparer.Ordinal)
            .Select(r => new NotificationRow(Guid.NewGuid(), r, kind, stage, message, at))];
    }

    public static List<NotificationRow> Escalation(string id, CorrectionState s, string? parentUnit, DateTimeOffset at)
    {
        var message = $"核查申请 {id} 在{StageText(s.Stage)}阶段已超过办理时限（{s.DueAt:yyyy-MM-dd HH:mm} UTC），请督办";
        var recipients = parentUnit is null ? new[] { Recipients.Operator } : [Recipients.Operator, Recipients.Unit(parentUnit)];
        return [.. recipients.Select(r => new NotificationRow(Guid.NewGuid(), r, Escalated, s.Stage, message, at))];
    }

    private static string OutcomeText(CorrectionState s) => s.Outcome switch
    {
        CorrectionNames.OutcomeCorrected when s.NewVersion is { } v => $"已更正（新版本 {v}）",
        CorrectionNames.OutcomeCorrected => "应予更正",
        _ => "经核查信息无误",
    };

    private static string StageText(string stage) => stage switch
    {
        CorrectionNames.StageIssuer => "签发机构核查",
        CorrectionNames.StageOperator => "管理机构核查",
        _ => "签发机构告知",
    };
}
