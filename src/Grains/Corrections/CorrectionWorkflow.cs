using OrleansLicenses.Errors;

namespace OrleansLicenses.Corrections;

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
