using OrleansLicenses.Access;

namespace OrleansLicenses.Clients;

/// <summary>A registered system client (department system, service hall, lower-level library). Key: client id.</summary>
public interface IClientGrain : IGrainWithStringKey
{
    /// <summary>Registers this client with a freshly generated secret, returned once and stored only as a salted hash.</summary>
    Task<ClientRegistered> RegisterAsync(RegisterClient command, Caller caller);

    /// <summary>Checks a presented secret; counts failures per source address and locks that address out for a while after repeated ones.</summary>
    Task<ClientAuthentication> AuthenticateAsync(string secret, string sourceAddress);

    /// <summary>Disables the client so it can no longer obtain tokens, and bumps its version so the tokens it holds are refused; administrators only.</summary>
    Task<ClientView> DisableAsync(Caller caller);

    /// <summary>
    /// Enables a disabled client again with a fresh secret (returned once) and a new version: the secret it had when
    /// it was disabled may be why it was disabled, so it never works again. An enabled client is a conflict
    /// (<c>client.enabled</c>; rotating its secret is the operation for that). Administrators only.
    /// </summary>
    Task<ClientRegistered> EnableAsync(Caller caller);

    /// <summary>Replaces the secret with a fresh one (returned once) and bumps the version, so the old secret and older tokens stop working; administrators only.</summary>
    Task<ClientRegistered> RotateSecretAsync(Caller caller);

    /// <summary>The client's public description, or null when no client is registered under this key.</summary>
    Task<ClientView?> GetAsync();

    /// <summary>The live state for operators (no secret material); administrators only (anyone else is refused with 403).</summary>
    Task<ClientView?> InspectAsync(Caller caller);
}

/// <summary>What an administrator registers.</summary>
[GenerateSerializer, Immutable, Alias("ol.RegisterClient")]
public sealed record RegisterClient(
    [property: Id(0)] string Name,
    [property: Id(1)] string Role,
    [property: Id(2)] string? UnitCode,
    [property: Id(3)] string? RegionCode);

/// <summary>The registration result: the only time the secret is ever shown.</summary>
[GenerateSerializer, Immutable, Alias("ol.ClientRegistered")]
public sealed record ClientRegistered(
    [property: Id(0)] ClientView Client,
    [property: Id(1)] string ClientSecret);

[GenerateSerializer, Immutable, Alias("ol.ClientView")]
public sealed record ClientView(
    [property: Id(0)] string ClientId,
    [property: Id(1)] string Name,
    [property: Id(2)] string Role,
    [property: Id(3)] string? UnitCode,
    [property: Id(4)] string? RegionCode,
    [property: Id(5)] bool Enabled,
    [property: Id(6)] DateTimeOffset RegisteredAt,
    [property: Id(7)] string RegisteredBy,
    [property: Id(8)] int Version = 0);

public enum ClientAuthenticationResult
{
    Succeeded = 0,
    UnknownClient = 1,
    WrongSecret = 2,
    LockedOut = 3,
    Disabled = 4,
}

[GenerateSerializer, Immutable, Alias("ol.ClientAuthentication")]
public sealed record ClientAuthentication(
    [property: Id(0)] ClientAuthenticationResult Result,
    [property: Id(1)] ClientView? Client,
    [property: Id(2)] DateTimeOffset? LockedUntil);
