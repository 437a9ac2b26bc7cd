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

/// <summary>
/// The one transition table of the workflow (art. 15): the issuer resolves or forwards; the operator resolves what
/// was forwarded; the issuer closes it towards the requester. Anything else is a 409 with
/// <see cref="CorrectionCodes.InvalidTransition"/>.
/// </summary>
public static class CorrectionWorkflow
{
    private sealed record Transition(string From, string Action, string Actor, string To);

    private static readonly Transition[] Table =
    [
        new(CorrectionNames.StageIssuer, CorrectionNames.ActionResolve, CorrectionNames.ActorIssuer, CorrectionNames.StageDone),
        new(CorrectionNames.StageIssuer, CorrectionNames.ActionForward, CorrectionNames.ActorIssuer, CorrectionNames.StageOperator),
        new(CorrectionNames.StageOperator, CorrectionNames.ActionResolve, CorrectionNames.ActorOperator, CorrectionNames.StageClosing),
        new(CorrectionNames.StageClosing, CorrectionNames.ActionClose, CorrectionNames.ActorIssuer, CorrectionNames.StageDone),
    ];

    /// <summary>The stage after <paramref name="action"/> by <paramref name="actor"/> at <paramref name="stage"/>, or null when the table has no such step.</summary>
    public static string? Next(string stage, string action, string actor) =>
        Table.FirstOrDefault(t => t.From == stage && t.Action == action && t.Actor == actor)?.To;

    /// <summary>As <see cref="Next"/>, throwing a 409 that says why the step is refused.</summary>
    public static string NextOrThrow(string stage, string action, string actor)
    {
        if (Next(stage, action, actor) is { } next)
        {
            return next;
        }

        var why = stage == CorrectionNames.StageDone
            ? "the request is already resolved"
            : Table.Any(t => t.From == stage && t.Action == action)
                ? $"at stage {stage} only the {Table.First(t => t.From == stage && t.Action == action).Actor} may {action}"
                : $"{action} is not a step of stage {stage}";
        throw DomainException.Conflict(CorrectionCodes.InvalidTransition, $"Cannot {action} this correction request: {why}.");
    }

    /// <summary>Whether <paramref name="stage"/> has a deadline (every stage but the end).</summary>
    public static bool HasDeadline(string stage) => stage != CorrectionNames.StageDone;
}
