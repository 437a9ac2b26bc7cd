using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansLicenses.Access;
using OrleansLicenses.Catalog;
using OrleansLicenses.Errors;
using OrleansLicenses.Hosting;
using OrleansLicenses.Identifiers;
using OrleansLicenses.Licenses;
using OrleansLicenses.Units;

namespace OrleansLicenses.Corrections;

/// <summary>
/// Owns one correction request: who filed it, its stage and deadline, the decision and the licence version it made.
/// Every step goes through <see cref="CorrectionWorkflow"/> and commits state, read model and notifications in one
/// transaction (<see cref="CorrectionStore"/>). Deadlines are evaluated on every read; a reminder checks them
/// periodically and escalates an overdue stage once (the escalation is part of the state, so a second tick, a second
/// silo or a restart cannot repeat it).
/// </summary>
public sealed partial class CorrectionGrain(
    CorrectionStore store,
    IOptions<CorrectionOptions> options,
    TimeProvider time,
    ILogger<CorrectionGrain> logger) : Grain, ICorrectionGrain, IRemindable
{
    private const string DeadlineReminder = "deadline";

    private CorrectionState? state;

    private string Id => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken) =>
        state = await store.LoadAsync(Id, cancellationToken);

    async Task<CorrectionView> ICorrectionGrain.FileAsync(FileCorrection command, Caller caller)
    {
        if (state is not null)
        {
            throw DomainException.Conflict(CorrectionCodes.AlreadyFiled, "A correction request with this id exists.");
        }

        var number = LicenseNumber.Parse(command.LicenseNumber);
        var requester = await RequesterAsync(number, caller);
        await CheckRequestAsync(number.TypeCode, command.Fields, command.Evidence);
        var now = time.GetUtcNow();
        var s = new CorrectionState
        {
            LicenseId = command.LicenseId,
            LicenseNumber = command.LicenseNumber,
            TypeCode = number.TypeCode,
            IssuerCode = number.IssuerCode,
            Requester = requester,
            RequesterRole = caller.Role,
            Cause = command.Cause,
            Description = command.Description,
            Fields = new(command.Fields, StringComparer.Ordinal),
            CreatedAt = now,
            Evidence = command.Evidence is { } evidence ? CorrectionEvidenceState.Of(evidence) : null,
        };
        StartStage(s, CorrectionNames.StageIssuer, now);
        AddStep(s, CorrectionNames.ActionFile, caller, command.Description, now);
        await CommitAsync(s, CorrectionNotices.Step(Id, s, CorrectionNotices.Filed, CorrectionNames.StageIssuer, now), command.Evidence);
        LogFiled(logger, Id, s.IssuerCode, s.Cause);
        return CorrectionViews.For(Id, s, caller, now);
    }

    Task<CorrectionView?> ICorrectionGrain.GetAsync(Caller caller) =>
        Task.FromResult(state is { } s && CorrectionViews.MayView(s, caller) ? CorrectionViews.For(Id, s, caller, time.GetUtcNow()) : null);

    Task<CorrectionView?> ICorrectionGrain.InspectAsync(Caller caller) =>
        Task.FromResult(Inspection.Allow(caller) && state is { } s ? CorrectionViews.For(Id, s, CorrectionViews.Operator, time.GetUtcNow()) : null);

    async Task<CorrectionView> ICorrectionGrain.ResolveAsync(ResolveCorrection command, Caller caller)
    {
        var (s, actor) = Acting(caller);
        var next = CorrectionWorkflow.NextOrThrow(s.Stage, CorrectionNames.ActionResolve, actor);
        if (!CorrectionNames.Outcomes.Contains(command.Outcome))
        {
            throw DomainException.Invalid("correction.invalid_outcome", "outcome", $"outcome must be one of {string.Join(", ", CorrectionNames.Outcomes)}");
        }

        var corrected = command.Outcome == CorrectionNames.OutcomeCorrected;
        if (corrected && command.Fields is not { Count: > 0 })
        {
            throw DomainException.Invalid(CorrectionCodes.FieldsRequired, "fields", "fields is required for outcome corrected");
        }

        var now = time.GetUtcNow();
        return await Step(s, caller, now, async () =>
        {
            s.Outcome = command.Outcome;
            if (corrected && actor == CorrectionNames.ActorIssuer)
            {
                await ApplyChangeAsync(s, command.Fields!, command.Reason, caller);
            }
            else if (corrected)
            {
                // The operator finds the right values; the issuer's key signs the new version when it closes the request.
                s.OperatorFields = new(command.Fields!, StringComparer.Ordinal);
            }

            var stage = s.Stage;
            AddStep(s, CorrectionNames.ActionResolve, caller, command.Reason, now);
            StartStage(s, next, now);
            var kind = actor == CorrectionNames.ActorIssuer ? CorrectionNotices.Resolved : CorrectionNotices.Answered;
            return CorrectionNotices.Step(Id, s, kind, stage, now);
        });
    }

    async Task<CorrectionView> ICorrectionGrain.ForwardAsync(string reason, Caller caller)
    {
        var (s, actor) = Acting(caller);
        var next = CorrectionWorkflow.NextOrThrow(s.Stage, CorrectionNames.ActionForward, actor);
        var now = time.GetUtcNow();
        return await Step(s, caller, now, () =>
        {
            s.Forwarded = true;
            AddStep(s, CorrectionNames.ActionForward, caller, reason, now);
            StartStage(s, next, now);
            return Task.FromResult(CorrectionNotices.Step(Id, s, CorrectionNotices.Forwarded, CorrectionNames.StageIssuer, now));
        });
    }

    async Task<CorrectionView> ICorrectionGrain.CloseAsync(string reason, Caller caller)
    {
        var (s, actor) = Acting(caller);
        var next = CorrectionWorkflow.NextOrThrow(s.Stage, CorrectionNames.ActionClose, actor);
        var now = time.GetUtcNow();
        return await Step(s, caller, now, async () =>
        {
            if (s.OperatorFields is { Count: > 0 } fields)
            {
                await ApplyChangeAsync(s, fields, reason, caller);
            }

            AddStep(s, CorrectionNames.ActionClose, caller, reason, now);
            StartStage(s, next, now);
            return CorrectionNotices.Step(Id, s, CorrectionNotices.Closed, CorrectionNames.StageClosing, now);
        });
    }

    async Task<bool> ICorrectionGrain.CheckDeadlineAsync()
    {
        var now = time.GetUtcNow();
        if (state is not { } s || !CorrectionViews.IsOverdue(s, now) || s.EscalatedStages.Contains(s.Stage))
        {
            return false;
        }

        var issuer = await GrainFactory.Get<IUnitGrain>(s.IssuerCode).GetAsync();
        var parent = issuer?.Definition.ParentUnitCode;
        await Step(s, CorrectionViews.Platform, now, () =>
        {
            s.EscalatedStages.Add(s.Stage);
            AddStep(s, CorrectionNames.ActionEscalate, CorrectionViews.Platform, null, now);
            return Task.FromResult(CorrectionNotices.Escalation(Id, s, parent, now));
        });
        LogEscalated(logger, Id, s.IssuerCode, s.Stage);
        return true;
    }

    async Task IRemindable.ReceiveReminder(string reminderName, TickStatus status)
    {
        if (state is not { Stage: not CorrectionNames.StageDone })
        {
            // Nothing left to watch (resolved, or never filed): stop ticking.
            if (await this.GetReminder(reminderName) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
            }

            return;
        }

        await ((ICorrectionGrain)this).CheckDeadlineAsync();
    }

    /// <summary>The request and the caller's part in it; 404 for a caller who may not see it or has no part.</summary>
    private (CorrectionState State, string Actor) Acting(Caller caller)
    {
        if (state is not { } s || !CorrectionViews.MayView(s, caller))
        {
            throw DomainException.NotFound(CorrectionCodes.NotFound, "No such correction request.");
        }

        return caller.IsAdmin ? (s, CorrectionNames.ActorOperator)
            : caller.Role == Roles.Issuer && caller.UnitCode == s.IssuerCode ? (s, CorrectionNames.ActorIssuer)
            : throw DomainException.Conflict(CorrectionCodes.InvalidTransition, "Only the issuing unit or the operator acts on a correction request.");
    }

    /// <summary>Runs a step on <paramref name="s"/> and commits it; a failure drops the activation so nothing half-done is served.</summary>
    private async Task<CorrectionView> Step(CorrectionState s, Caller caller, DateTimeOffset now, Func<Task<List<NotificationRow>>> change)
    {
        try
        {
            var notices = await change();
            await CommitAsync(s, notices);
            return CorrectionViews.For(Id, s, caller, now);
        }
        catch (Exception e)
        {
            StateWrites.Forget(this, e);
            throw;
        }
    }

    private async Task CommitAsync(CorrectionState s, List<NotificationRow> notices, CorrectionEvidence? evidence = null)
    {
        s.Revision++;
        try
        {
            await store.CommitAsync(Id, s, notices, evidence);
        }
        catch (CorrectionWriteConflictException)
        {
            throw DomainException.Conflict("correction.concurrent_write", "The correction request was changed concurrently; read it again.");
        }

        state = s;
        await WatchDeadlineAsync(s);
    }

    /// <summary>While a stage is open a reminder looks at its deadline; once resolved it is removed.</summary>
    private async Task WatchDeadlineAsync(CorrectionState s)
    {
        if (s.Stage == CorrectionNames.StageDone)
        {
            if (await this.GetReminder(DeadlineReminder) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
            }

            return;
        }

        var period = options.Value.DeadlineCheckPeriod;
        var remaining = (s.DueAt ?? time.GetUtcNow()) - time.GetUtcNow();
        var due = remaining < TimeSpan.Zero ? TimeSpan.Zero : remaining > period ? period : remaining;
        try
        {
            await this.RegisterOrUpdateReminder(DeadlineReminder, due, period);
        }
        catch (Exception e) when (e is not DomainException)
        {
            // The step is committed; answering an error would invite a duplicate request. Deadlines still show on
            // read, and the start-up sweep (CorrectionDeadlineSweep) escalates what no reminder watched.
            LogReminderFailed(logger, Id, e);
        }
    }

    private async Task<string> RequesterAsync(LicenseNumber number, Caller caller)
    {
        switch (caller.Role)
        {
            case Roles.Holder:
                // Only the licence's holder gets an answer; an unknown licence and another's answer alike.
                if (await GrainFactory.Get<ILicenseGrain>(number.ToString()).GetAsync(null, caller) is null)
                {
                    throw DomainException.NotFound("license.not_found", "No such licence.");
                }

                return Recipients.Holder(caller.Subject);
            case Roles.Verifier when caller.UnitCode is { Length: > 0 } unit:
                // A using unit disputes what it used: its use archive must hold a record of the licence.
                if (!await store.HasUseRecordAsync(unit, number.ToString()))
                {
                    throw DomainException.NotFound("license.not_found", "No such licence.");
                }

                return Recipients.Unit(unit);
            default:
                throw DomainException.Forbidden(CorrectionCodes.MayNotFile, "Only the holder or a unit that used the licence files a correction request.");
        }
    }

    /// <summary>Every element the catalogue does not have and every bad part of the evidence file, as one 400.</summary>
    private async Task CheckRequestAsync(string typeCode, IReadOnlyDictionary<string, string> fields, CorrectionEvidence? evidence)
    {
        var type = await GrainFactory.Get<ILicenseTypeGrain>(typeCode).GetAsync()
            ?? throw DomainException.NotFound("license.not_found", "No such licence.");
        var keys = type.Definition.Fields.Select(f => f.Key).ToHashSet(StringComparer.Ordinal);
        var errors = fields.Keys.Where(k => !keys.Contains(k))
            .Select(k => new FieldError($"fields.{k}", "is not a face element of this licence type")).ToList();
        if (evidence is not null)
        {
            errors.AddRange(EvidenceRules.Check(evidence.FileName, evidence.ContentType, evidence.Content));
        }

        DomainException.ThrowIfAny(errors is [{ Field: var first }, ..] && first.StartsWith("evidence.", StringComparison.Ordinal)
            ? "correction.invalid_evidence" : "correction.unknown_field", errors);
    }

    /// <summary>
    /// Makes the new version through the licence's own change path, with a reason naming this request. If an earlier
    /// attempt changed the licence but its step was not committed, that change (found by its reason) is reused, not repeated.
    /// </summary>
    private async Task ApplyChangeAsync(CorrectionState s, IReadOnlyDictionary<string, string> patch, string reason, Caller issuer)
    {
        var licence = GrainFactory.Get<ILicenseGrain>(s.LicenseNumber);
        var marker = $"核查申请 {Id}";
        var history = await licence.GetHistoryAsync(issuer) ?? throw DomainException.NotFound("license.not_found", "No such licence.");
        if (history.LastOrDefault(h => h.Action == LicenseEventTypes.Change && h.Reason?.StartsWith(marker, StringComparison.Ordinal) == true) is { } done)
        {
            (s.NewVersion, s.NewIdentifier) = (done.Version, done.Identifier);
            return;
        }

        // The corrected elements only: the licence grain merges them into the current face (a merge patch).
        var changed = await licence.ChangeAsync(new ChangeLicense(patch, null, $"{marker}: {reason}"), issuer);
        (s.NewVersion, s.NewIdentifier) = (changed.Version, changed.Id);
    }

    private void StartStage(CorrectionState s, string stage, DateTimeOffset now)
    {
        s.Stage = stage;
        s.StageStartedAt = now;
        s.DueAt = CorrectionWorkflow.HasDeadline(stage) ? now + options.Value.StageDeadline : null;
        if (stage == CorrectionNames.StageDone)
        {
            s.ResolvedAt = now;
        }
    }

    private static void AddStep(CorrectionState s, string action, Caller caller, string? reason, DateTimeOffset now) =>
        s.Steps.Add(new CorrectionStepState
        {
            At = now, Action = action, ActorSubject = caller.Subject, ActorRole = caller.Role,
            ActorUnit = caller.UnitCode, Stage = s.Stage, Reason = reason,
        });

    [LoggerMessage(Level = LogLevel.Information, Message = "Correction {CorrectionId} filed with issuer {IssuerCode} (cause {Cause})")]
    private static partial void LogFiled(ILogger logger, string correctionId, string issuerCode, string cause);

    [LoggerMessage(Level = LogLevel.Error, Message = "Correction {CorrectionId}: its deadline reminder could not be registered")]
    private static partial void LogReminderFailed(ILogger logger, string correctionId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Correction {CorrectionId} of issuer {IssuerCode} is overdue at stage {Stage}: escalated")]
    private static partial void LogEscalated(ILogger logger, string correctionId, string issuerCode, string stage);
}
