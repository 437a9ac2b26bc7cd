using System.Text;
using OrleansLicenses.Access;
using OrleansLicenses.Audit;
using OrleansLicenses.Catalog;
using OrleansLicenses.Errors;
using OrleansLicenses.Holders;
using OrleansLicenses.Hosting;
using OrleansLicenses.Identifiers;
using OrleansLicenses.Journal;
using OrleansLicenses.ReadModel;
using OrleansLicenses.Signing;
using OrleansLicenses.Units;
using OrleansLicenses.Verification;

namespace OrleansLicenses.Licenses;

/// <summary>
/// Owns one licence: every signed version, the lifecycle (through <see cref="LicenseLifecycle"/>, the one
/// transition table), annotations and the history. A change is acknowledged only after one PostgreSQL transaction
/// committed the new state, the read-model row and the change-feed entry (<see cref="LicenseStore"/>); a second
/// activation of the same licence (possible briefly during cluster changes) loses on the revision it read and
/// answers 409. Verifications are answered from memory.
/// </summary>
public sealed class LicenseGrain(
    LicenseStore store,
    UnitDirectory units,
    UnitSigners signers,
    VerificationJournal journal,
    PresentationUseStore presentationUses,
    Microsoft.Extensions.Configuration.IConfiguration configuration,
    Sync.TrustedRoots trustedRoots,
    TimeProvider time) : Grain, ILicenseGrain, Sync.ILicenseAggregationGrain
{
    private readonly ComparisonBudget comparisons = new(
        Microsoft.Extensions.Configuration.ConfigurationBinder.GetValue(configuration, "Verification:ComparisonsPerHour", ComparisonBudget.DefaultPerHour));
    // How far the API hosts' clocks (which date presentation tokens) may run ahead of this silo's, by assumption (NTP).
    private static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);
    private readonly PresentationLedger presentations = new();
    private DateTimeOffset activatedAt;
    private readonly Dictionary<(string Version, bool InScope), VerifiedLicense> disclosures = [];
    private readonly Dictionary<string, string> documentHashes = new(StringComparer.Ordinal);
    private LicenseState current = new();
    private int disclosureRules = -1;
    private byte[]? rootCertificate;

    private bool Issued => current.Lifecycle is not null;

    private LicenseVersionState CurrentVersion => current.Versions[^1];

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        activatedAt = time.GetUtcNow();
        current = await store.LoadAsync(this.GetPrimaryKeyString(), cancellationToken) ?? new LicenseState();
    }

    async Task<LicenseView> ILicenseGrain.IssueAsync(IssueLicense command, Caller caller)
    {
        var number = LicenseNumber.Parse(this.GetPrimaryKeyString());
        if (caller.Role != Roles.Issuer || caller.UnitCode != number.IssuerCode)
        {
            throw DomainException.Forbidden("license.forbidden", "Only an issuer client of the issuing unit issues its licences.");
        }

        if (Issued && current.SourceLibrary is not null)
        {
            throw new DomainException(DomainErrorKind.Conflict, "license.exists", $"Licence {number} is held here as aggregated from {current.SourceLibrary}.", "serial");
        }

        if (Issued)
        {
            // A retry of the issuance that created this licence (e.g. after its answer was lost) gets that licence;
            // anything else under the same number is a conflict.
            return IsSameIssuance(command) ? View(CurrentVersion)
                : throw new DomainException(DomainErrorKind.Conflict, "license.exists", $"Licence {number} already exists.", "serial");
        }

        var type = await GrainFactory.Get<ILicenseTypeGrain>(number.TypeCode).GetAsync()
            ?? throw DomainException.Invalid("license.unknown_type", "typeCode", "is not in the catalogue");
        var unit = await GrainFactory.Get<IUnitGrain>(number.IssuerCode).GetAsync();
        if (unit is null || unit.Definition.Status != "active" || !unit.Definition.IssuableTypes.Contains(number.TypeCode))
        {
            throw new DomainException(DomainErrorKind.Forbidden, "license.type_not_issuable", "The unit may not issue this licence type.", "typeCode");
        }

        var identifier = ImportedIdentifier(number, command);
        var today = PlatformClock.Today(time);
        var validUntil = command.ValidUntil ?? DefaultValidUntil(type.Definition.Validity, command.ValidFrom);
        var opening = LicenseLifecycle.Issue(command.ValidFrom, validUntil);
        // Every bad field at once: the holder, the face data and the validity.
        var errors = LicenseFieldRules.ValidateHolder(type.Definition, command.Holder, today);
        errors.AddRange(LicenseFieldRules.Validate(type.Definition, command.Fields, today));
        errors.AddRange(opening.Rejections.Select(r => new FieldError(r.Field ?? "validUntil", r.Message)));
        DomainException.ThrowIfAny(InvalidRequest, errors);
        var lifecycle = opening.GetOrThrow();
        // The holder's one write of this issuance: the reservation that enforces one live licence per type. A
        // multi-instance type (property rights) leaves the holder nothing to enforce, so it costs no holder call.
        if (!type.Definition.MultipleInstances)
        {
            await GrainFactory.Get<IHolderBookkeepingGrain>(command.Holder.Key).ReserveAsync(number.ToString(), number.TypeCode, multipleInstances: false);
        }

        try
        {
            var s = current;
            s.TypeCode = number.TypeCode;
            s.IssuerCode = number.IssuerCode;
            s.IssuerRegion = unit.Definition.RegionCode;
            s.Serial = number.Serial;
            s.IssuedAt = time.GetUtcNow();
            s.Lifecycle = lifecycle;
            s.Origin = command.Import?.Origin ?? LicenseOrigins.Online;
            s.SourceId = command.Import?.SourceId;
            s.LegacyIdentifier = command.Import?.LegacyIdentifier;
            s.OriginalIssueDate = command.Import?.OriginalIssueDate;
            var version = await Sign(identifier, command.Holder, new(command.Fields, StringComparer.Ordinal),
                command.ValidFrom, validUntil, type.CatalogVersion);
            version.IdentifierCheck = identifier.CheckMismatch ? IdentifierChecks.Mismatch : IdentifierChecks.Ok;
            s.Versions = [version];
            s.History = [];
            Record(caller, "issue", null);
            var issued = await Commit(caller, "issue");
            LicenseMetrics.Issued.Add(1);
            if (command.Import is not null)
            {
                // A bulk import activates a licence per record: let each go once issued, so memory stays flat.
                DeactivateOnIdle();
            }

            return issued;
        }
        catch (Exception e)
        {
            StateWrites.Forget(this, e);
            throw;
        }
    }

    async Task<LicenseView> ILicenseGrain.ChangeAsync(ChangeLicense command, Caller caller)
    {
        RequireIssuerOfIt(caller);
        var s = current;
        var lifecycle = LicenseLifecycle.Apply(s.Lifecycle!, new LifecycleEvent(LicenseEventTypes.Change, command.Reason), PlatformClock.Today(time)).GetOrThrow();
        var type = await GrainFactory.Get<ILicenseTypeGrain>(s.TypeCode).GetAsync()
            ?? throw DomainException.Conflict("license.unknown_type", "The licence type is no longer in the catalogue.");
        var today = PlatformClock.Today(time);
        var holder = CurrentVersion.Holder.ToWire();
        if (command.HolderName is not null)
        {
            holder = holder with { Name = command.HolderName };
        }

        var fields = LicenseFieldRules.Merge(CurrentVersion.Fields, command.Fields, command.Remove);
        var errors = LicenseFieldRules.ValidateHolder(type.Definition, holder, today);
        errors.AddRange(LicenseFieldRules.Validate(type.Definition, fields, today));
        DomainException.ThrowIfAny(InvalidRequest, errors);

        try
        {
            var previous = CurrentVersion;
            var next = await Sign(NextIdentifier(previous), holder, fields,
                previous.ValidFrom, previous.ValidUntil, type.CatalogVersion);
            previous.SupersededBy = next.Identifier;
            s.Versions.Add(next);
            s.Lifecycle = lifecycle;
            Record(caller, LicenseEventTypes.Change, command.Reason);
            var changed = await Commit(caller, LicenseEventTypes.Change);
            LicenseMetrics.Events.Add(1, new KeyValuePair<string, object?>("type", LicenseEventTypes.Change));
            return changed;
        }
        catch (Exception e)
        {
            StateWrites.Forget(this, e);
            throw;
        }
    }

    async Task<LicenseView> ILicenseGrain.ApplyAsync(LifecycleEvent licenseEvent, Caller caller)
    {
        RequireIssuerOfIt(caller);
        if (licenseEvent.Type == LicenseEventTypes.Change)
        {
            throw DomainException.Invalid(LifecycleCodes.InvalidEvent, "type", "use POST /changes to change face data");
        }

        var s = current;
        var result = LicenseLifecycle.Apply(s.Lifecycle!, licenseEvent, PlatformClock.Today(time));
        if (result.Rejected)
        {
            LicenseMetrics.Rejected.Add(1, new KeyValuePair<string, object?>("code", result.Rejection.Code));
        }

        var lifecycle = result.GetOrThrow();
        try
        {
            if (result.NewVersion)
            {
                // An extension moves the validity end: a new, re-signed version with the same face data.
                var previous = CurrentVersion;
                var next = await Sign(NextIdentifier(previous), previous.Holder.ToWire(), previous.Fields,
                    previous.ValidFrom, lifecycle.ValidUntil, previous.CatalogVersion);
                previous.SupersededBy = next.Identifier;
                s.Versions.Add(next);
            }

            s.Lifecycle = lifecycle;
            Record(caller, licenseEvent.Type, licenseEvent.Reason ?? licenseEvent.InspectionResult);
            var applied = await Commit(caller, licenseEvent.Type);
            LicenseMetrics.Events.Add(1, new KeyValuePair<string, object?>("type", licenseEvent.Type));
            return applied;
        }
        catch (Exception e)
        {
            StateWrites.Forget(this, e);
            throw;
        }
    }

    Task<LicenseView?> ILicenseGrain.GetAsync(string? version, Caller caller) =>
        Task.FromResult(MayRead(caller) && Find(version) is { } v ? View(v) : null);

    Task<IReadOnlyList<HistoryEntry>?> ILicenseGrain.GetHistoryAsync(Caller caller) =>
        Task.FromResult<IReadOnlyList<HistoryEntry>?>(MayRead(caller) ? current.History.Select(h => h.ToWire()).ToList() : null);

    async Task<SignedDocument?> ILicenseGrain.GetDocumentAsync(string? version, Caller caller) =>
        MayRead(caller) && Find(version) is { } v ? await Document(v) : null;

    async Task<SignedDocument?> ILicenseGrain.GetDocumentForUseAsync(VerifyLicense request, Caller caller)
    {
        // Only the holder's authorization entitles a verifier to the whole document: a presentation or the business
        // scope entitles it to a verification answer (the minimum necessary fields), not to every element.
        // Nor to a superseded version's, which discloses its status only; that refusal spends no use of the authorization.
        var outcome = request.Basis == VerificationBasis.Authorization && request.Compare is null && Find(request.Version) is { SupersededBy: null }
            ? await Verify(request, caller) : null;
        var audit = LicenseVerification.AuditOf(request, caller, time.GetUtcNow(), "GetLicenseDocument", $"/api/licenses/{LicenseNumberText}/document");
        if (outcome is null)
        {
            await journal.AppendAsync(audit with { Outcome = AuditOutcomes.NotFound, Status = 404 }, null);
            return null;
        }

        var version = Find(outcome.License.Version)!;
        var handedOver = LicenseVerification.WholeDocument(current, version, await TypeView(version.CatalogVersion));
        var id = await Archive(request, caller, audit, outcome with { License = handedOver }, UseKinds.Document);
        return await Document(version) with { VerificationId = id.ToString() };
    }

    async Task<VerificationOutcome?> ILicenseGrain.VerifyAsync(VerifyLicense request, Caller caller)
    {
        var audit = LicenseVerification.AuditOf(request, caller, time.GetUtcNow());
        var comparing = request.Compare is not null && caller.UnitCode is not null;
        if (comparing && !comparisons.Allows(caller.UnitCode!, audit.Time))
        {
            await journal.AppendAsync(audit with { Outcome = AuditOutcomes.Rejected, Status = 429 }, null);
            throw new DomainException(DomainErrorKind.TooManyRequests, "verification.comparison_limit",
                "This unit has compared values against this licence too often in the last hour.");
        }

        var outcome = await Verify(request, caller);
        if (outcome is null)
        {
            // A refusal is a read attempt of personal data too: recorded (404) before it is answered.
            await journal.AppendAsync(audit with { Outcome = AuditOutcomes.NotFound, Status = 404 }, null);
            return null;
        }

        if (comparing)
        {
            comparisons.Spend(caller.UnitCode!, time.GetUtcNow());
        }

        if (request.Presentation is { } token)
        {
            return await UsePresentation(request, caller, audit, outcome, token);
        }

        var id = await Archive(request, caller, audit, outcome, UseKinds.Verification);
        return outcome with { VerificationId = id.ToString() };
    }

    /// <summary>
    /// A presentation token is spent by the verification it entitles (single-use unless the holder allowed up to five)
    /// and bound to the first unit: a reuse beyond its uses, or by another unit, answers not valid
    /// (<see cref="PresentedToken.UsedReason"/>) with the licence's identity only, and is archived so the holder sees it.
    /// </summary>
    private async Task<VerificationOutcome> UsePresentation(VerifyLicense request, Caller caller, AuditEntry audit, VerificationOutcome outcome, PresentedToken token)
    {
        // A token made before this activation started may have been used by an earlier one: the archive knows.
        if (!presentations.Knows(token) && token.IssuedAt <= activatedAt + ClockSkew)
        {
            var (unit, uses) = await presentationUses.FindAsync(token.Id);
            presentations.Learn(token, unit, uses);
        }

        if (!presentations.TrySpend(token, caller.UnitCode!, time.GetUtcNow()))
        {
            var refused = outcome with
            {
                Valid = false,
                Reasons = [PresentedToken.UsedReason],
                License = LicenseVerification.CompareOnly(outcome.License),
                Comparison = null,
            };
            var refusedId = await Archive(request, caller, audit, refused, UseKinds.Verification);
            return refused with { VerificationId = refusedId.ToString() };
        }

        try
        {
            var id = await Archive(request, caller, audit, outcome, UseKinds.Verification, token.Id);
            return outcome with { VerificationId = id.ToString() };
        }
        catch
        {
            presentations.Refund(token); // not answered, so not spent
            throw;
        }
    }

    /// <summary>
    /// The use record and its audit record commit together, before the answer. The callers are [ReadOnly]: while
    /// one use waits for the group commit, the next ones run; a change waits until they are done.
    /// </summary>
    private async Task<Guid> Archive(VerifyLicense request, Caller caller, AuditEntry audit, VerificationOutcome outcome, string kind,
        string? presentationId = null)
    {
        var id = Guid.CreateVersion7(time.GetUtcNow());
        var use = new UseRecord(id, audit.Time, caller.UnitCode!, caller.Subject, request.MatterCode, request.Purpose, request.Basis,
            request.AuthorizationId, outcome.License.Id, outcome.License.Version, outcome.DocumentHash, outcome.HolderKey,
            outcome.Valid, outcome.Status, outcome.Reasons, outcome.License, outcome.Comparison, request.CaseNumber, request.OperatorName, kind,
            presentationId);
        await journal.AppendAsync(audit with
        {
            Outcome = AuditOutcomes.Succeeded,
            Status = 200,
            Resource = $"/api/licenses/{outcome.License.Id}?verification={id}",
        }, use);
        return id;
    }

    // An aggregated licence's document comes with the lower library's root its certificate chains to.
    private async Task<SignedDocument> Document(LicenseVersionState v) =>
        new(v.Identifier, v.Canonical, LicenseDocument.Algorithm, LicenseDocument.UserId,
            Convert.ToBase64String(v.Signature), Convert.ToBase64String(v.Certificate),
            Convert.ToBase64String(current.SourceLibrary is null ? await RootCertificate() : trustedRoots.FindRoot(v.Certificate, v.SignedAt) ?? await RootCertificate()));

    async Task<Sync.AggregateOutcome> Sync.ILicenseAggregationGrain.AggregateAsync(Sync.SyncRecord record, string sourceLibrary, Caller caller)
    {
        if (caller.Role != Roles.Sync || caller.RegionCode is null)
        {
            throw DomainException.Forbidden("license.forbidden", "Only a sync client pushes aggregated licences.");
        }

        var (ok, refusal) = Sync.SyncRecordCheck.Check(record, caller.RegionCode, trustedRoots);
        if (ok is null || ok.Identifier.Number != this.GetPrimaryKeyString())
        {
            return new Sync.AggregateOutcome(false, refusal?.Reason ?? Sync.SyncReasons.IdentifierInvalid, refusal?.Detail ?? "the record names another licence");
        }

        if (Sync.LicenseAggregation.Refusal(current, ok, sourceLibrary) is { } refused)
        {
            return refused;
        }

        try
        {
            if (!Sync.LicenseAggregation.Apply(current, ok, sourceLibrary, caller.Subject))
            {
                return new Sync.AggregateOutcome(false);
            }

            await Commit(caller, record.Operation);
            return new Sync.AggregateOutcome(true);
        }
        catch (Exception e)
        {
            StateWrites.Forget(this, e);
            throw;
        }
    }

    private async Task<VerificationOutcome?> Verify(VerifyLicense request, Caller caller)
    {
        if (!Issued || caller.Role != Roles.Verifier || caller.UnitCode is null || Find(request.Version) is not { } version)
        {
            return null;
        }

        var s = current;
        var holderKey = version.Holder.Key;
        // The verifier's scope from the silo's cache, not a call to its unit grain per verification.
        var unit = await units.GetAsync(caller.UnitCode);
        var inScope = LicenseVerification.ScopeCovers(unit, request.MatterCode, s.TypeCode);
        var allowed = request.Basis switch
        {
            VerificationBasis.Presentation => request.PresentedHolderKey == holderKey,
            VerificationBasis.Authorization => request.AuthorizationId is not null
                && await GrainFactory.Get<IHolderBookkeepingGrain>(holderKey).ConsumeAuthorizationAsync(
                    request.AuthorizationId, LicenseNumberText, caller.UnitCode, request.MatterCode, request.Purpose,
                    unit?.Definition.Scope.Any(m => m.MatterCode == request.MatterCode) == true),
            VerificationBasis.Scope => inScope && request.IdentifiedHolderKey == holderKey,
            _ => false,
        };
        if (!allowed)
        {
            LicenseMetrics.Refused.Add(1, new KeyValuePair<string, object?>("basis", request.Basis));
            return null;
        }

        var today = PlatformClock.Today(time);
        var status = LicenseLifecycle.Effective(s.Lifecycle!, today);
        var reasons = LicenseLifecycle.Reasons(s.Lifecycle!, today).ToList();
        if (version.SupersededBy is not null)
        {
            reasons.Add("superseded");
        }

        LicenseMetrics.Verified.Add(1, new KeyValuePair<string, object?>("valid", reasons.Count == 0));
        var disclosed = await Disclosed(version, inScope);
        if (version.SupersededBy is not null)
        {
            // A superseded version answers its status only: no face data, no holder, nothing to compare against.
            return new VerificationOutcome(false, status.ToWireName(), status.ToNationalCode(), reasons,
                LicenseVerification.CompareOnly(disclosed), null, holderKey, DocumentHash(version));
        }

        var comparison = LicenseVerification.Compare(version, request.Compare, disclosed);
        return new VerificationOutcome(reasons.Count == 0, status.ToWireName(), status.ToNationalCode(), reasons,
            comparison is null ? disclosed : LicenseVerification.CompareOnly(disclosed), comparison, holderKey, DocumentHash(version));
    }

    /// <summary>
    /// What a verifier sees of a version under the current catalogue's disclosure rules, computed once per version,
    /// basis and rules (a version never changes; new rules empty the cache).
    /// </summary>
    private async Task<VerifiedLicense> Disclosed(LicenseVersionState version, bool inScope)
    {
        var rules = await TypeView(null);
        if (rules.CatalogVersion != disclosureRules)
        {
            disclosures.Clear();
            disclosureRules = rules.CatalogVersion;
        }

        if (!disclosures.TryGetValue((version.Version, inScope), out var disclosed))
        {
            disclosed = LicenseVerification.Disclose(current, version, await TypeView(version.CatalogVersion), rules, inScope);
            disclosures[(version.Version, inScope)] = disclosed;
        }

        return disclosed;
    }

    private string DocumentHash(LicenseVersionState version)
    {
        if (!documentHashes.TryGetValue(version.Version, out var hash))
        {
            hash = LicenseVerification.DocumentHash(version);
            documentHashes[version.Version] = hash;
        }

        return hash;
    }

    async Task<PublicLicense?> ILicenseGrain.GetPublicAsync(string? version)
    {
        if (Find(version) is not { } v)
        {
            return null;
        }

        // The current catalogue decides whether the type is public now.
        var type = await TypeView(null);
        var status = LicenseLifecycle.Effective(current.Lifecycle!, PlatformClock.Today(time));
        return LicenseVerification.Public(current, v, type, status.ToWireName(), status.ToNationalCode(), v.SupersededBy is null);
    }

    Task<DocumentStatus> ILicenseGrain.GetDocumentStatusAsync(string version)
    {
        if (Find(version) is not { } v)
        {
            return Task.FromResult(new DocumentStatus(false, "unknown", ["unknown-licence"], null));
        }

        var today = PlatformClock.Today(time);
        var reasons = LicenseLifecycle.Reasons(current.Lifecycle!, today).ToList();
        if (v.SupersededBy is not null)
        {
            reasons.Add("superseded");
        }

        return Task.FromResult(new DocumentStatus(true, LicenseLifecycle.Effective(current.Lifecycle!, today).ToWireName(), reasons, v.Canonical));
    }

    // Operators' view (admin inspection, the Orleans dashboard): natural persons' id numbers masked.
    Task<LicenseView?> ILicenseGrain.InspectAsync(Caller caller) =>
        Task.FromResult(Inspection.Allow(caller) && Issued ? PersonalData.Mask(View(CurrentVersion)) : null);

    private async Task<LicenseVersionState> Sign(LicenseIdentifier identifier, HolderRef holder, Dictionary<string, string> fields,
        DateOnly validFrom, DateOnly? validUntil, int catalogVersion)
    {
        var version = new LicenseVersionState
        {
            Version = identifier.Version,
            Identifier = identifier.ToString(),
            Holder = LicenseHolderState.From(holder),
            Fields = fields,
            ValidFrom = validFrom,
            ValidUntil = validUntil,
            CatalogVersion = catalogVersion,
            SignedAt = DateTimeOffset.FromUnixTimeSeconds(time.GetUtcNow().ToUnixTimeSeconds()),
        };
        version.Canonical = LicenseDocument.Canonicalize(current, version);
        // Signed in this grain's own turn with the silo's pooled signer for the unit's key: different licences of one
        // unit sign on every core at once, and the unit grain is asked only when its key is (re)loaded.
        var signature = await signers.SignAsync(current.IssuerCode, Encoding.UTF8.GetBytes(version.Canonical));
        version.Signature = signature.Signature;
        version.Certificate = signature.Certificate;
        return version;
    }

    private void Record(Caller caller, string action, string? reason)
    {
        var s = current;
        s.History.Add(new LicenseHistoryState(time.GetUtcNow(), caller.Subject, action, reason, CurrentVersion.Version, CurrentVersion.Identifier,
            LicenseLifecycle.Effective(s.Lifecycle!, PlatformClock.Today(time)).ToWireName()));
    }

    /// <summary>
    /// Commits the changed state with its read-model row and change-feed entry in one transaction. A caller that
    /// catches a failure drops the activation (<see cref="StateWrites.Forget"/>), so the unsaved change is never served.
    /// </summary>
    private async Task<LicenseView> Commit(Caller caller, string operation)
    {
        current.Revision++;
        var view = View(CurrentVersion);
        try
        {
            await store.CommitAsync(current, view, new LicenseChangeEntry(operation, caller.Subject, time.GetUtcNow()));
        }
        catch (LicenseWriteConflictException)
        {
            // Another activation wrote this licence first: our in-memory state is stale. Start over from storage.
            throw DomainException.Conflict("license.concurrent_write", "The licence was changed concurrently; read it again.");
        }

        disclosures.Clear();
        return view;
    }

    /// <summary>
    /// The identifier of version 001, or for a legacy record the paper licence's own identifier (read leniently: a wrong
    /// check character is kept and flagged, never corrected), which must name this licence.
    /// </summary>
    private static LicenseIdentifier ImportedIdentifier(LicenseNumber number, IssueLicense command)
    {
        if (command.Import is not { Origin: LicenseOrigins.Legacy } legacy)
        {
            return LicenseIdentifier.Create(number);
        }

        if (!LicenseIdentifier.TryParseLenient(legacy.LegacyIdentifier, out var identifier, out var error))
        {
            throw DomainException.Invalid(InvalidRequest, "legacyIdentifier", error);
        }

        return identifier.LicenseNumber == number ? identifier
            : throw DomainException.Invalid(InvalidRequest, "legacyIdentifier", "does not name a licence of this type and issuing unit");
    }

    /// <summary>The next version's identifier (a paper licence's wrong check character is not carried over).</summary>
    private static LicenseIdentifier NextIdentifier(LicenseVersionState previous) =>
        LicenseIdentifier.TryParseLenient(previous.Identifier, out var identifier, out var error) ? identifier.NextVersion()
            : throw new InvalidOperationException($"Stored identifier {previous.Identifier} does not parse: {error}");

    private bool IsSameIssuance(IssueLicense command)
    {
        var first = current.Versions[0];
        return command.TypeCode == current.TypeCode && (command.Import?.Origin ?? LicenseOrigins.Online) == current.Origin
            && command.Import?.SourceId == current.SourceId && command.Import?.LegacyIdentifier == current.LegacyIdentifier && command.Holder == first.Holder.ToWire() && command.ValidFrom == first.ValidFrom
            && (command.ValidUntil is null || command.ValidUntil == first.ValidUntil)
            && command.Fields.Count == first.Fields.Count
            && command.Fields.All(f => first.Fields.TryGetValue(f.Key, out var v) && v == f.Value);
    }

    private LicenseView View(LicenseVersionState v)
    {
        var s = current;
        var today = PlatformClock.Today(time);
        // As of today: a suspension whose last day has passed reads as ended, its until and reason included.
        var lifecycle = LicenseLifecycle.Normalize(s.Lifecycle!, today);
        var status = LicenseLifecycle.Effective(lifecycle, today);
        var reasons = LicenseLifecycle.Reasons(lifecycle, today).ToList();
        if (v.SupersededBy is not null)
        {
            reasons.Add("superseded");
        }

        return new LicenseView(v.Identifier, $"{s.TypeCode}.{s.IssuerCode}.{s.Serial}", s.TypeCode, s.IssuerCode, v.Version,
            status.ToWireName(), status.ToNationalCode(), v.Holder.ToWire(), v.Fields, v.ValidFrom, v.ValidUntil, v.CatalogVersion, s.IssuedAt,
            v.SupersededBy is null, v.SupersededBy, reasons,
            new LicenseAnnotations(lifecycle.Mortgaged, lifecycle.Pledged, lifecycle.LastInspectionDate, lifecycle.LastInspectionResult,
                lifecycle.SuspendedUntil, lifecycle.StatusReason),
            new LicenseSignature(LicenseDocument.Algorithm, Convert.ToBase64String(v.Signature), Convert.ToBase64String(v.Certificate)),
            CurrentVersion.Identifier, s.SourceLibrary, s.Origin, v.IdentifierCheck, s.OriginalIssueDate);
    }

    private LicenseVersionState? Find(string? version) =>
        !Issued ? null : version is null ? CurrentVersion : current.Versions.FirstOrDefault(v => v.Version == version);

    private bool MayRead(Caller caller) => Issued && (caller.IsAdmin
        || (caller.Role == Roles.Issuer && caller.UnitCode == current.IssuerCode)
        || (caller.Role == Roles.Holder && current.Versions.Any(v => v.Holder.Key == caller.Subject)));

    private void RequireIssuerOfIt(Caller caller)
    {
        // Unknown and foreign licences answer alike, so an issuer cannot probe other units' numbers.
        // An aggregated licence changes only at its source library (and arrives here by its push).
        if (!Issued || caller.Role != Roles.Issuer || caller.UnitCode != current.IssuerCode || current.SourceLibrary is not null)
        {
            throw DomainException.NotFound("license.not_found", "No such licence.");
        }
    }

    private string LicenseNumberText => $"{current.TypeCode}.{current.IssuerCode}.{current.Serial}";

    /// <summary>The type definition a version was issued under (or the current one), cached for a minute.</summary>
    private async Task<LicenseTypeView> TypeView(int? catalogVersion)
    {
        var now = time.GetUtcNow();
        if (typeCache.TryGetValue(catalogVersion ?? 0, out var cached) && now - cached.At < TimeSpan.FromMinutes(1))
        {
            return cached.View;
        }

        var view = await GrainFactory.Get<ILicenseTypeGrain>(current.TypeCode).GetAsync(catalogVersion)
            ?? await GrainFactory.Get<ILicenseTypeGrain>(current.TypeCode).GetAsync()
            ?? throw DomainException.Conflict("license.unknown_type", "The licence type is no longer in the catalogue.");
        typeCache[catalogVersion ?? 0] = (view, now);
        return view;
    }

    private readonly Dictionary<int, (LicenseTypeView View, DateTimeOffset At)> typeCache = [];

    private async Task<byte[]> RootCertificate() =>
        rootCertificate ??= await GrainFactory.GetGrain<ICertificateAuthorityGrain>("root").GetRootCertificateAsync();

    private static DateOnly? DefaultValidUntil(ValidityRule rule, DateOnly from) =>
        rule.LongTerm ? null : from.AddYears(rule.Years ?? 1).AddDays(-1);

    private const string InvalidRequest = "license.invalid_request";
}
