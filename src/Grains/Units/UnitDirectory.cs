using OrleansLicenses.Hosting;
using System.Collections.Concurrent;

namespace OrleansLicenses.Units;

/// <summary>
/// The silo's cache of unit definitions for the verification hot path: a licence grain needs the verifier's
/// business scope on every verification, and asking the verifier's unit grain each time would put that one grain's
/// single turn in front of every verification the unit's halls make. Entries are refreshed after
/// <see cref="Lifetime"/>; concurrent misses for one unit share one grain call. A unit's change invalidates the entry
/// at once on the silo that hosts the unit grain; other silos see it within <see cref="Lifetime"/>, which bounds how
/// long a narrowed scope can still be used (the licence grain re-checks the unit's status and scope on every call).
/// </summary>
public sealed class UnitDirectory(IGrainFactory grains, TimeProvider time)
{
    /// <summary>How long a silo trusts a cached definition.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, Lazy<Task<Entry>>> entries = new(StringComparer.Ordinal);

    /// <summary>The unit's definition as of at most <see cref="Lifetime"/> ago; null for an unknown unit.</summary>
    public async ValueTask<UnitView?> GetAsync(string unitCode)
    {
        var now = time.GetUtcNow();
        if (entries.TryGetValue(unitCode, out var cached) && cached.IsValueCreated && cached.Value.IsCompletedSuccessfully
            && now - cached.Value.Result.FetchedAt < Lifetime)
        {
            return cached.Value.Result.View;
        }

        var fresh = new Lazy<Task<Entry>>(() => Fetch(unitCode, now));
        var winner = cached is null ? entries.GetOrAdd(unitCode, fresh) : entries.TryUpdate(unitCode, fresh, cached) ? fresh : entries[unitCode];
        try
        {
            return (await winner.Value).View;
        }
        catch
        {
            // A failed fetch is not cached: the next call asks again.
            entries.TryRemove(new KeyValuePair<string, Lazy<Task<Entry>>>(unitCode, winner));
            throw;
        }
    }

    /// <summary>Forgets a unit's cached definition (called by the unit grain after its change is committed).</summary>
    public void Invalidate(string unitCode) => entries.TryRemove(unitCode, out _);

    private async Task<Entry> Fetch(string unitCode, DateTimeOffset now) =>
        new(await grains.Get<IUnitGrain>(unitCode).GetAsync(), now);

    private sealed record Entry(UnitView? View, DateTimeOffset FetchedAt);
}
