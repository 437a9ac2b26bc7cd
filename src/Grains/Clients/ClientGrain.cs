using OrleansLicenses.Access;
using OrleansLicenses.Errors;
using OrleansLicenses.Hosting;

namespace OrleansLicenses.Clients;

/// <summary>
/// Owns one system client's registration, secret hash, version and lock-out counters. Repeated wrong secrets lock the
/// source address out (<see cref="FailureLedger"/>) so a stolen client id cannot be brute-forced through the token
/// endpoint. The version is bumped by every disable and secret rotation: tokens carry the version they were minted
/// under, and the API hosts refuse a token whose version is no longer the client's.
/// </summary>
public sealed class ClientGrain(
    [PersistentState("client", StorageNames.Store)] IPersistentState<ClientState> state,
    TimeProvider time) : Grain, IClientGrain
{
    private static readonly string DummyHash = SecretHasher.Hash(SecretHasher.NewSecret());

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
        s.Failures ??= new(StringComparer.Ordinal);
        if (FailureLedger.LockedUntil(s.Failures, sourceAddress, now) is { } until)
        {
            return new ClientAuthentication(ClientAuthenticationResult.LockedOut, null, until);
        }

        if (!SecretHasher.Verify(secret, s.SecretHash))
        {
            var locked = FailureLedger.RecordFailure(s.Failures, sourceAddress, now);
            await state.WriteOrDeactivateAsync(this);
            return new ClientAuthentication(ClientAuthenticationResult.WrongSecret, null, locked);
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

    async Task<ClientView> IClientGrain.DisableAsync(Caller caller)
    {
        RequireAdminOfRegistered(caller, "disable");
        if (state.State.Enabled)
        {
            state.State.Enabled = false;
            state.State.Version++;
            await state.WriteOrDeactivateAsync(this);
        }

        return View();
    }

    async Task<ClientRegistered> IClientGrain.EnableAsync(Caller caller)
    {
        RequireAdminOfRegistered(caller, "enable");
        if (state.State.Enabled)
        {
            throw DomainException.Conflict("client.enabled", "The client is enabled; rotate its secret to replace the secret.");
        }

        var secret = SecretHasher.NewSecret();
        state.State.Enabled = true;
        state.State.SecretHash = SecretHasher.Hash(secret);
        state.State.Version++;
        await state.WriteOrDeactivateAsync(this);
        return new ClientRegistered(View(), secret);
    }

    async Task<ClientRegistered> IClientGrain.RotateSecretAsync(Caller caller)
    {
        RequireAdminOfRegistered(caller, "rotate the secrets of");
        if (!state.State.Enabled)
        {
            throw DomainException.Conflict("client.disabled", "The client is disabled; its secret is not rotated.");
        }

        var secret = SecretHasher.NewSecret();
        state.State.SecretHash = SecretHasher.Hash(secret);
        state.State.Version++;
        await state.WriteOrDeactivateAsync(this);
        return new ClientRegistered(View(), secret);
    }

    private void RequireAdminOfRegistered(Caller caller, string action)
    {
        if (!caller.IsAdmin)
        {
            throw DomainException.Forbidden("client.forbidden", $"Only administrators {action} clients.");
        }

        if (!Registered)
        {
            throw DomainException.NotFound("client.not_found", "No such client.");
        }
    }

    Task<ClientView?> IClientGrain.GetAsync() => Task.FromResult(Registered ? View() : null);

    Task<ClientView?> IClientGrain.InspectAsync(Caller caller) => Task.FromResult(Inspection.Allow(caller) && Registered ? View() : null);

    private ClientView View()
    {
        var s = state.State;
        return new ClientView(this.GetPrimaryKeyString(), s.Name!, s.Role, s.UnitCode, s.RegionCode, s.Enabled, s.RegisteredAt, s.RegisteredBy,
            s.Version);
    }
}
