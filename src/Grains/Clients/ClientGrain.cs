using OrleansLicenses.Access;
using OrleansLicenses.Errors;
using OrleansLicenses.Hosting;

namespace OrleansLicenses.Clients;

/// <summary>
/// Owns one system client's registration, secret hash and lock-out counter. Repeated wrong secrets lock the
/// client for <see cref="LockOut"/> so a stolen client id cannot be brute-forced through the token endpoint.
/// </summary>
public sealed class ClientGrain(
    [PersistentState("client", StorageNames.Store)] IPersistentState<ClientState> state,
    TimeProvider time) : Grain, IClientGrain
{
    internal const int MaxFailedAttempts = 5;
    private const int MaxTrackedAddresses = 1000;
    private static readonly string DummyHash = SecretHasher.Hash(SecretHasher.NewSecret());
    internal static readonly TimeSpan LockOut = TimeSpan.FromMinutes(5);

    private bool Registered => state.RecordExists && state.State.Name is not null;

    async Task<ClientRegistered> IClientGrain.RegisterAsync(RegisterClient command, Caller caller)
    {
        if (!caller.IsAdmin)
        {
            throw DomainException.Forbidden("client.forbidden", "Only administrators register clients.");
        }

        if (Registered)
        {
            throw DomainException.Conflict("client.exists", "A client with this id is already registered.");
        }

        var secret = SecretHasher.NewSecret();
        var s = state.State;
        s.Name = command.Name;
        s.Role = command.Role;
        s.UnitCode = command.UnitCode;
        s.RegionCode = command.RegionCode;
        s.SecretHash = SecretHasher.Hash(secret);
        s.Enabled = true;
        s.RegisteredAt = time.GetUtcNow();
        s.RegisteredBy = caller.Subject;
        await state.WriteOrDeactivateAsync(this);
        return new ClientRegistered(View(), secret);
    }

    async Task<ClientAuthentication> IClientGrain.AuthenticateAsync(string secret, string sourceAddress)
    {
        if (!Registered)
        {
            // Spend the same hashing work as for a known client, so response times do not reveal which ids exist.
            _ = SecretHasher.Verify(secret, DummyHash);
            return new ClientAuthentication(ClientAuthenticationResult.UnknownClient, null, null);
        }

        var s = state.State;
        var now = time.GetUtcNow();
        // Failures are counted per source address: a stranger guessing secrets locks out only their own address,
        // not the department system that owns the client.
        s.Failures ??= new(StringComparer.Ordinal);
        s.Failures.TryGetValue(sourceAddress, out var failures);
        if (failures?.LockedUntil is { } until && until > now)
        {
            return new ClientAuthentication(ClientAuthenticationResult.LockedOut, null, until);
        }

        if (!SecretHasher.Verify(secret, s.SecretHash))
        {
            Prune(s.Failures, now);
            failures ??= new FailureCounter();
            failures.Count++;
            failures.LastFailure = now;
            if (failures.Count >= MaxFailedAttempts)
            {
                failures.LockedUntil = now + LockOut;
                failures.Count = 0;
            }

            s.Failures[sourceAddress] = failures;
            await state.WriteOrDeactivateAsync(this);
            return new ClientAuthentication(ClientAuthenticationResult.WrongSecret, null, failures.LockedUntil > now ? failures.LockedUntil : null);
        }

        if (!s.Enabled)
        {
            return new ClientAuthentication(ClientAuthenticationResult.Disabled, null, null);
        }

        if (s.Failures.Remove(sourceAddress))
        {
            await state.WriteOrDeactivateAsync(this);
        }

        return new ClientAuthentication(ClientAuthenticationResult.Succeeded, View(), null);
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

    async Task<ClientView> IClientGrain.DisableAsync(Caller caller)
    {
        if (!caller.IsAdmin)
        {
            throw DomainException.Forbidden("client.forbidden", "Only administrators disable clients.");
        }

        if (!Registered)
        {
            throw DomainException.NotFound("client.not_found", "No such client.");
        }

        state.State.Enabled = false;
        await state.WriteOrDeactivateAsync(this);
        return View();
    }

    Task<ClientView?> IClientGrain.GetAsync() => Task.FromResult(Registered ? View() : null);

    Task<ClientView?> IClientGrain.InspectAsync(Caller caller) => Task.FromResult(Inspection.Allow(caller) && Registered ? View() : null);

    private ClientView View()
    {
        var s = state.State;
        return new ClientView(this.GetPrimaryKeyString(), s.Name!, s.Role, s.UnitCode, s.RegionCode, s.Enabled, s.RegisteredAt, s.RegisteredBy);
    }
}
