using OrleansLicenses.Errors;
using OrleansLicenses.Hosting;
using OrleansLicenses.Licenses;

namespace OrleansLicenses.Holders;

public sealed class HolderState
{
    public Dictionary<string, HolderLicense> Licenses { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// Owns a holder's list of licences and the "one live licence per type" rule. A reservation is made before the
/// licence is written and confirmed after; one never confirmed within <see cref="ReservationTimeout"/> (the
/// issuance failed) no longer blocks a new issuance. Each entry keeps the status recorded by the licence's last
/// write; reads apply the clock to it as the licence does (<see cref="LicenseLifecycle.Effective"/>), so a licence
/// past its validity end is listed as expired without any write.
/// </summary>
public sealed class HolderGrain(
    [PersistentState("holder", StorageNames.Store)] IPersistentState<HolderState> state,
    TimeProvider time) : Grain, IHolderGrain
{
    internal static readonly TimeSpan ReservationTimeout = TimeSpan.FromMinutes(2);


    async Task IHolderGrain.ReserveAsync(string licenseNumber, string typeCode, bool multipleInstances)
    {
        var now = time.GetUtcNow();
        if (state.State.Licenses.ContainsKey(licenseNumber))
        {
            return; // A retry of the same issuance.
        }

        if (!multipleInstances)
        {
            var today = PlatformClock.Today(time);
            var live = state.State.Licenses.Values.FirstOrDefault(l => l.TypeCode == typeCode
                && (l.Confirmed ? StatusOn(l, today) is "valid" or "suspended"
                                : now - l.UpdatedAt < ReservationTimeout));
            if (live is not null)
            {
                throw new DomainException(DomainErrorKind.Conflict, "license.holder_has_live_license",
                    $"The holder already has a live licence of this type: {live.CurrentId}", "holder");
            }
        }

        state.State.Licenses[licenseNumber] = new HolderLicense(licenseNumber, typeCode, "", "pending", null, now, Confirmed: false);
        await state.WriteStateAsync();
    }

    async Task IHolderGrain.RecordAsync(HolderLicense entry)
    {
        state.State.Licenses[entry.LicenseNumber] = entry with { Confirmed = true };
        await state.WriteStateAsync();
    }

    Task<IReadOnlyList<HolderLicense>> IHolderGrain.GetLicensesAsync()
    {
        var today = PlatformClock.Today(time);
        return Task.FromResult<IReadOnlyList<HolderLicense>>([.. state.State.Licenses.Values
            .Where(l => l.Confirmed)
            .OrderBy(l => l.LicenseNumber, StringComparer.Ordinal)
            .Select(l => l with { Status = StatusOn(l, today) })]);
    }

    Task<IReadOnlyList<HolderLicense>> IHolderGrain.GetState()
    {
        var today = PlatformClock.Today(time);
        return Task.FromResult<IReadOnlyList<HolderLicense>>([.. state.State.Licenses.Values.Select(l => l with { Status = StatusOn(l, today) })]);
    }

    /// <summary>The recorded status with the clock applied by the lifecycle's own rule; a pending reservation stays "pending".</summary>
    private static string StatusOn(HolderLicense entry, DateOnly today) =>
        LicenseStatusCodes.TryFromWireName(entry.Status, out var recorded)
            ? LicenseLifecycle.Effective(new Lifecycle(recorded, DateOnly.MinValue, entry.ValidUntil, entry.SuspendedUntil, false, false, 1), today).ToWireName()
            : entry.Status;
}
