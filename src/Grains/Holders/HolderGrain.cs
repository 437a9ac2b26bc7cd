using OrleansLicenses.Errors;
using OrleansLicenses.Hosting;

namespace OrleansLicenses.Holders;

public sealed class HolderState
{
    public Dictionary<string, HolderLicense> Licenses { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// Owns a holder's list of licences and the "one live licence per type" rule. A reservation is made before the
/// licence is written and confirmed after; one never confirmed within <see cref="ReservationTimeout"/> (the
/// issuance failed) no longer blocks a new issuance.
/// </summary>
public sealed class HolderGrain(
    [PersistentState("holder", StorageNames.Store)] IPersistentState<HolderState> state,
    TimeProvider time) : Grain, IHolderGrain
{
    internal static readonly TimeSpan ReservationTimeout = TimeSpan.FromMinutes(2);

    private static readonly HashSet<string> LiveStatuses = new(StringComparer.Ordinal) { "valid", "suspended" };

    async Task IHolderGrain.ReserveAsync(string licenseNumber, string typeCode, bool multipleInstances)
    {
        var now = time.GetUtcNow();
        if (state.State.Licenses.ContainsKey(licenseNumber))
        {
            return; // A retry of the same issuance.
        }

        if (!multipleInstances)
        {
            var today = Licenses.PlatformClock.Today(time);
            var live = state.State.Licenses.Values.FirstOrDefault(l => l.TypeCode == typeCode
                && (l.Confirmed ? LiveStatuses.Contains(l.Status) && (l.ValidUntil is null || l.ValidUntil >= today)
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

    Task<IReadOnlyList<HolderLicense>> IHolderGrain.GetLicensesAsync() => Task.FromResult(Confirmed());

    Task<IReadOnlyList<HolderLicense>> IHolderGrain.GetState() => Task.FromResult<IReadOnlyList<HolderLicense>>([.. state.State.Licenses.Values]);

    private IReadOnlyList<HolderLicense> Confirmed() =>
        [.. state.State.Licenses.Values.Where(l => l.Confirmed).OrderBy(l => l.LicenseNumber, StringComparer.Ordinal)];
}
