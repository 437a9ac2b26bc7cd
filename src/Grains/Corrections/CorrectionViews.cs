using OrleansLicenses.Access;

namespace OrleansLicenses.Corrections;

/// <summary>Who may see a correction request and what they see of it.</summary>
internal static class CorrectionViews
{
    /// <summary>The caller that operator inspection builds views for.</summary>
    public static readonly Caller Operator = new("platform:inspection", Roles.Admin, null, null, null);

    /// <summary>The platform itself, as the actor of an escalation.</summary>
    public static readonly Caller Platform = new("platform:deadline", Roles.Admin, null, null, null);

    /// <summary>The requester, the issuing unit's issuer clients and admins; nobody else learns the request exists.</summary>
    public static bool MayView(CorrectionState s, Caller caller) =>
        caller.IsAdmin
        || (caller.Role == Roles.Issuer && caller.UnitCode == s.IssuerCode)
        || (caller.Role is Roles.Holder or Roles.Verifier && Recipients.Of(caller) == s.Requester);

    /// <summary>Evaluated on read with the injected clock: an open stage past its deadline is overdue whether or not a reminder ran.</summary>
    public static bool IsOverdue(CorrectionState s, DateTimeOffset now) => s.Stage != CorrectionNames.StageDone && s.DueAt is { } due && now > due;

    public static CorrectionView For(string id, CorrectionState s, Caller caller, DateTimeOffset now)
    {
        // A using unit learns the new version's number, not its identifier: it may verify the licence only as before.
        var identifier = caller.Role == Roles.Verifier ? null : s.NewIdentifier;
        var steps = s.Steps.Select(t => new CorrectionStep(t.At, t.Action, t.ActorRole, t.ActorUnit, t.Stage, t.Reason)).ToList();
        return new CorrectionView(id, s.LicenseId, s.IssuerCode, s.Cause, s.Description, s.Fields, CorrectionNames.StatusOf(s.Stage), s.Stage,
            s.DueAt, IsOverdue(s, now), s.Outcome, s.NewVersion, identifier, s.CreatedAt, s.ResolvedAt, [.. s.EscalatedStages], steps, s.RequesterRole,
            s.Evidence is { } e ? new EvidenceInfo(e.FileName, e.ContentType, e.Size, e.Sha256) : null);
    }
}
