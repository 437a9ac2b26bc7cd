namespace OrleansLicenses.Clients;

/// <summary>
/// The lock-out rule every credential follows, registered clients (<see cref="ClientGrain"/>) and the bootstrap
/// administrator (<see cref="CredentialLockoutGrain"/>) alike: failures are counted per source address, and
/// <see cref="MaxFailedAttempts"/> of them lock that address out for <see cref="LockOut"/>. A stranger guessing
/// secrets locks out only their own address, not the system that owns the credential.
/// </summary>
internal static class FailureLedger
{
    internal const int MaxFailedAttempts = 5;
    internal static readonly TimeSpan LockOut = TimeSpan.FromMinutes(5);
    private const int MaxTrackedAddresses = 1000;

    /// <summary>When the address's lock-out ends, or null when it is not locked out now.</summary>
    public static DateTimeOffset? LockedUntil(Dictionary<string, FailureCounter> failures, string address, DateTimeOffset now) =>
        failures.TryGetValue(address, out var counter) && counter.LockedUntil is { } until && until > now ? until : null;

    /// <summary>Counts a failure of the address; returns the end of the lock-out it started, if it started one.</summary>
    public static DateTimeOffset? RecordFailure(Dictionary<string, FailureCounter> failures, string address, DateTimeOffset now)
    {
        Prune(failures, now);
        var counter = failures.GetValueOrDefault(address) ?? new FailureCounter();
        counter.Count++;
        counter.LastFailure = now;
        if (counter.Count >= MaxFailedAttempts)
        {
            counter.LockedUntil = now + LockOut;
            counter.Count = 0;
        }

        failures[address] = counter;
        return counter.LockedUntil > now ? counter.LockedUntil : null;
    }

    // Bounded: counters of addresses quiet for an hour are forgotten, and at most MaxTrackedAddresses are kept.
    private static void Prune(Dictionary<string, FailureCounter> failures, DateTimeOffset now)
    {
        foreach (var stale in failures.Where(f => now - f.Value.LastFailure > TimeSpan.FromHours(1) && !(f.Value.LockedUntil > now)).Select(f => f.Key).ToList())
        {
            failures.Remove(stale);
        }

        foreach (var oldest in failures.OrderBy(f => f.Value.LastFailure).Take(Math.Max(0, failures.Count - MaxTrackedAddresses + 1)).Select(f => f.Key).ToList())
        {
            failures.Remove(oldest);
        }
    }
}
