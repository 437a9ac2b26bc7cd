using OrleansLicenses.Access;
using OrleansLicenses.Errors;
using OrleansLicenses.Hosting;
using OrleansLicenses.Identifiers;
using OrleansLicenses.Licenses;
using OrleansLicenses.ReadModel;
using OrleansLicenses.Units;

namespace OrleansLicenses.Holders;

public sealed class HolderState
{
    public Dictionary<string, HolderLicense> Licenses { get; set; } = new(StringComparer.Ordinal);

    public List<AuthorizationView> Authorizations { get; set; } = [];
}

/// <summary>
/// Owns the "one live licence per type" rule and the holder's authorizations. An issuance reserves its licence
/// number here before the licence is written: the holder's one write of that issuance. Whether a reserved licence
/// was issued, and its status, come from the <c>licenses</c> read model, which the licence commits in the same
/// transaction as its own state (so it is exact, not eventually consistent); a reservation whose licence is not
/// there after <see cref="ReservationTimeout"/> (the issuance failed) no longer blocks a new issuance. Lists apply
/// the clock as the licence does (<see cref="LicenseLifecycle.Effective"/>), so a licence past its validity end is
/// listed as expired without any write.
/// </summary>
public sealed class HolderGrain(
    [PersistentState("holder", StorageNames.Store)] IPersistentState<HolderState> state,
    LicenseReadModel licenses,
    UnitDirectory units,
    TimeProvider time) : Grain, IHolderGrain, IHolderBookkeepingGrain
{
    internal static readonly TimeSpan ReservationTimeout = TimeSpan.FromMinutes(2);

    async Task IHolderBookkeepingGrain.ReserveAsync(string licenseNumber, string typeCode, bool multipleInstances)
    {
        var now = time.GetUtcNow();
        if (state.State.Licenses.ContainsKey(licenseNumber))
        {
            return; // A retry of the same issuance.
        }

        if (multipleInstances)
        {
            // Nothing to enforce, so nothing to write: the read model lists the licence once it is committed.
            return;
        }

        var sameType = state.State.Licenses.Values.Where(l => l.TypeCode == typeCode).ToList();
        if (sameType.Count > 0)
        {
            var today = PlatformClock.Today(time);
            var issued = await licenses.ListByHolderAsync(this.GetPrimaryKeyString(), [typeCode]);
            if (issued.FirstOrDefault(l => StatusOn(l, today) is "valid" or "suspended") is { } live)
            {
                throw LiveLicense(live.LicenseNumber, live.CurrentId, licenseNumber);
            }

            // A reservation younger than the timeout whose licence is not committed yet may still be committing.
            if (sameType.FirstOrDefault(r => now - r.UpdatedAt < ReservationTimeout && issued.All(l => l.LicenseNumber != r.LicenseNumber)) is { } pending)
            {
                throw LiveLicense(pending.LicenseNumber, pending.LicenseNumber, licenseNumber);
            }

            // Every earlier reservation of the type is settled (never committed, or no longer live): the state keeps
            // only what the rule still needs, so it stays bounded.
            sameType.ForEach(r => state.State.Licenses.Remove(r.LicenseNumber));
        }

        state.State.Licenses[licenseNumber] = new HolderLicense(licenseNumber, typeCode, "", "pending", null, now, Confirmed: false);
        await state.WriteOrDeactivateAsync(this);
    }

    // The conflict names the live licence only to its own issuer: another unit's licence is not the caller's to learn of.
    private static DomainException LiveLicense(string live, string shownAs, string requested) => new(DomainErrorKind.Conflict, "license.holder_has_live_license",
        LicenseNumber.Parse(live).IssuerCode == LicenseNumber.Parse(requested).IssuerCode
            ? $"The holder already has a live licence of this type: {shownAs}"
            : "The holder already has a live licence of this single-instance type, issued by another unit.", "holder");

    async Task<AuthorizationView> IHolderGrain.GrantAsync(GrantAuthorization grant, Caller caller)
    {
        RequireSelf(caller, allowAdmin: false);
        var now = time.GetUtcNow();
        if ((await licenses.ListByHolderAsync(this.GetPrimaryKeyString())).All(l => l.LicenseNumber != grant.LicenseNumber))
        {
            throw DomainException.NotFound("license.not_found", "No such licence.");
        }

        if (grant.ExpiresAt <= now)
        {
            throw DomainException.Invalid("authorization.expired", "expiresAt", "expiresAt must be in the future");
        }

        // The holder's state stays bounded: grants that ended more than a year ago leave, so do all but the latest
        // ended ones, and a holder has at most MaxActiveAuthorizations in force (withdrawing one makes room).
        var list = state.State.Authorizations;
        list.RemoveAll(a => (a.WithdrawnAt ?? a.ExpiresAt) < now.AddYears(-1));
        var ended = list.Where(a => StateOf(a, now) != "active").OrderByDescending(a => a.CreatedAt).Skip(MaxEndedAuthorizationsKept).ToHashSet();
        list.RemoveAll(ended.Contains);
        if (list.Count(a => StateOf(a, now) == "active") >= MaxActiveAuthorizations)
        {
            throw DomainException.Conflict("authorization.limit",
                $"The holder has {MaxActiveAuthorizations} authorizations in force; withdraw one before granting another.");
        }

        var view = new AuthorizationView($"auth-{Guid.CreateVersion7():N}", grant.LicenseNumber, grant.GranteeUnitCode, grant.MatterCode,
            grant.Purpose, grant.ExpiresAt, grant.MaxUses, 0, now, null, "active");
        state.State.Authorizations.Add(view);
        await state.WriteOrDeactivateAsync(this);
        return view;
    }

    async Task<bool> IHolderGrain.WithdrawAsync(string authorizationId, Caller caller)
    {
        RequireSelf(caller, allowAdmin: false);
        var index = state.State.Authorizations.FindIndex(a => a.Id == authorizationId);
        if (index < 0)
        {
            return false;
        }

        var current = state.State.Authorizations[index];
        if (current.WithdrawnAt is null)
        {
            state.State.Authorizations[index] = current with { WithdrawnAt = time.GetUtcNow() };
            await state.WriteOrDeactivateAsync(this);
        }

        return true;
    }

    Task<IReadOnlyList<AuthorizationView>> IHolderGrain.GetAuthorizationsAsync(Caller caller)
    {
        RequireSelf(caller, allowAdmin: true);
        var now = time.GetUtcNow();
        return Task.FromResult<IReadOnlyList<AuthorizationView>>(
            [.. state.State.Authorizations.Select(a => a with { State = StateOf(a, now) }).OrderByDescending(a => a.CreatedAt)]);
    }

    async Task<bool> IHolderBookkeepingGrain.ConsumeAuthorizationAsync(string authorizationId, string licenseNumber, string unitCode, string matterCode,
        string purpose, bool verifierHandlesMatter)
    {
        var index = state.State.Authorizations.FindIndex(a => a.Id == authorizationId);
        if (index < 0)
        {
            return false;
        }

        var a = state.State.Authorizations[index];
        if (StateOf(a, time.GetUtcNow()) != "active" || a.LicenseNumber != licenseNumber
            || (a.GranteeUnitCode is not null && a.GranteeUnitCode != unitCode)
            || (a.MatterCode is not null && a.MatterCode != matterCode)
            || !string.Equals(a.Purpose.Trim(), purpose.Trim(), StringComparison.Ordinal)
            || (a.GranteeUnitCode is null && !verifierHandlesMatter))
        {
            return false;
        }

        state.State.Authorizations[index] = a with { Uses = a.Uses + 1 };
        await state.WriteOrDeactivateAsync(this);
        return true;
    }

    /// <summary>Authorizations in force one holder may have at once.</summary>
    public const int MaxActiveAuthorizations = 100;

    /// <summary>Ended authorizations (withdrawn, expired, used up) kept for the holder's own list.</summary>
    public const int MaxEndedAuthorizationsKept = 100;

    private static string StateOf(AuthorizationView a, DateTimeOffset now) =>
        a.WithdrawnAt is not null ? "withdrawn"
        : a.ExpiresAt <= now ? "expired"
        : a.MaxUses is { } max && a.Uses >= max ? "used-up"
        : "active";

    async Task<IReadOnlyList<HolderLicense>> IHolderGrain.GetLicensesAsync(Caller caller)
    {
        RequireSelf(caller, allowAdmin: true);
        return await Listed();
    }

    async Task<IReadOnlyList<HolderLicense>> IHolderGrain.ListForMatterAsync(string matterCode, Caller caller)
    {
        if (caller.Role != Roles.Verifier || caller.UnitCode is null)
        {
            return [];
        }

        // The verifier's scope as the licence grains read it (the silo's cache of its unit), so the lookup finds
        // exactly the licences a by-scope verification of this matter would then be allowed to verify.
        var unit = await units.GetAsync(caller.UnitCode);
        var types = unit is { Definition.Status: "active" }
            ? unit.Definition.Scope.Where(m => m.MatterCode == matterCode).SelectMany(m => m.LicenseTypes).ToHashSet(StringComparer.Ordinal)
            : [];
        return types.Count == 0 ? [] : await Listed(types);
    }

    async Task<IReadOnlyList<HolderLicense>> IHolderGrain.InspectAsync(Caller caller) => Inspection.Allow(caller) ? await Listed() : [];

    private async Task<IReadOnlyList<HolderLicense>> Listed(IReadOnlyCollection<string>? typeCodes = null)
    {
        var today = PlatformClock.Today(time);
        return [.. (await licenses.ListByHolderAsync(this.GetPrimaryKeyString(), typeCodes)).Select(l => l with { Status = StatusOn(l, today) })];
    }

    /// <summary>
    /// A holder's own grain answers only the holder in person (identity from the token, passed explicitly) and, for
    /// reads, administrators; anyone else is told the holder does not exist, like a foreign licence.
    /// </summary>
    private void RequireSelf(Caller caller, bool allowAdmin)
    {
        if (!((caller.Role == Roles.Holder && caller.Subject == this.GetPrimaryKeyString()) || (allowAdmin && caller.IsAdmin)))
        {
            throw DomainException.NotFound("holder.not_found", "No such holder.");
        }
    }

    /// <summary>The recorded status with the clock applied by the lifecycle's own rule.</summary>
    private static string StatusOn(HolderLicense entry, DateOnly today) =>
        LicenseStatusCodes.TryFromWireName(entry.Status, out var recorded)
            ? LicenseLifecycle.EffectiveStatus(recorded, entry.ValidUntil, entry.SuspendedUntil, today).ToWireName()
            : entry.Status;
}
