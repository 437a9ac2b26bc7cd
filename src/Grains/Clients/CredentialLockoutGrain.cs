using OrleansLicenses.Hosting;

namespace OrleansLicenses.Clients;

/// <summary>Persistent state of <see cref="CredentialLockoutGrain"/>: failed attempts per source address (bounded).</summary>
public sealed class CredentialLockoutState
{
    public Dictionary<string, FailureCounter> Failures { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// The lock-out of the bootstrap administrator, whose secret lives in the API hosts' configuration rather than in a
/// client grain: the same rule as registered clients (<see cref="FailureLedger"/>), shared by every API host.
/// </summary>
public sealed class CredentialLockoutGrain(
    [PersistentState("lockout", StorageNames.Store)] IPersistentState<CredentialLockoutState> state,
    TimeProvider time) : Grain, ICredentialLockoutGrain
{
    async Task<ClientAuthentication> ICredentialLockoutGrain.AttemptAsync(bool secretMatched, string sourceAddress)
    {
        var now = time.GetUtcNow();
        var failures = state.State.Failures;
        if (FailureLedger.LockedUntil(failures, sourceAddress, now) is { } until)
        {
            return new ClientAuthentication(ClientAuthenticationResult.LockedOut, null, until);
        }

        if (!secretMatched)
        {
            var locked = FailureLedger.RecordFailure(failures, sourceAddress, now);
            await state.WriteOrDeactivateAsync(this);
            return new ClientAuthentication(ClientAuthenticationResult.WrongSecret, null, locked);
        }

        if (failures.Remove(sourceAddress))
        {
            await state.WriteOrDeactivateAsync(this);
        }

        return new ClientAuthentication(ClientAuthenticationResult.Succeeded, null, null);
    }
}
