using OrleansLicenses.Errors;

namespace OrleansLicenses.Corrections;

/// <summary>Wire names of the correction workflow.</summary>
public static class CorrectionNames
{
    public const string StageIssuer = "issuer";
    public const string StageOperator = "operator";
    public const string StageClosing = "closing";
    public const string StageDone = "done";

    public const string StatusOpen = "open";
    public const string StatusResolved = "resolved";

    public const string ActionFile = "file";
    public const string ActionResolve = "resolve";
    public const string ActionForward = "forward";
    public const string ActionClose = "close";
    public const string ActionEscalate = "escalate";

    public const string ActorIssuer = "issuer";
    public const string ActorOperator = "operator";

    public const string OutcomeCorrected = "corrected";
    public const string OutcomeConfirmed = "confirmed";

    public const string CauseData = "data";
    public const string CauseTechnical = "technical";

    public static readonly IReadOnlyList<string> Causes = [CauseData, CauseTechnical];
    public static readonly IReadOnlyList<string> Outcomes = [OutcomeCorrected, OutcomeConfirmed];

    public const int MaxDescriptionLength = 1000;
    public const int MaxReasonLength = 400;
    public const int MaxFieldValueLength = 500;

    public static string StatusOf(string stage) => stage == StageDone ? StatusResolved : StatusOpen;
}

/// <summary>Reason codes of refused correction steps.</summary>
public static class CorrectionCodes
{
    public const string NotFound = "correction.not_found";
    public const string InvalidTransition = "correction.invalid_transition";
    public const string AlreadyFiled = "correction.already_filed";
    public const string NoUseRecord = "correction.no_use_record";
    public const string MayNotFile = "correction.may_not_file";
    public const string FieldsRequired = "correction.fields_required";
}
