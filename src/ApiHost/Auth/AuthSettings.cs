namespace OrleansLicenses.ApiHost.Auth;

/// <summary>Token settings, bound from the <c>Auth</c> section.</summary>
public sealed class AuthSettings
{
    public const string Section = "Auth";

    /// <summary>The <c>iss</c> of tokens this platform mints for system clients.</summary>
    public string Issuer { get; set; } = "orleans-licenses";

    /// <summary>The <c>aud</c> every accepted token must carry.</summary>
    public string Audience { get; set; } = "orleans-licenses-api";

    /// <summary>Base64 HMAC-SHA256 key (at least 32 bytes) shared by all API hosts of one deployment.</summary>
    public string? SigningKey { get; set; }

    public int TokenLifetimeMinutes { get; set; } = 15;

    /// <summary>
    /// How long an API host trusts what it last heard of a client's standing (enabled, version) before asking its
    /// grain again: how long another host may still accept a disabled or rotated client's tokens. At most
    /// <see cref="ClientStandings.MaxCacheSeconds"/>; 0 asks on every request.
    /// </summary>
    public int ClientStandingCacheSeconds { get; set; } = ClientStandings.MaxCacheSeconds;

    public HolderTokenSettings Holder { get; set; } = new();
}

/// <summary>The province's real-name identity platform, whose holder tokens we trust.</summary>
public sealed class HolderTokenSettings
{
    public string Issuer { get; set; } = "hlj-realname";

    /// <summary>The real-name platform's public verification key, PEM (EC P-256/P-384 or RSA): see <see cref="HolderTrust"/>.</summary>
    public string? PublicKeyPem { get; set; }

    /// <summary>Or its public keys as a JWKS document (JSON text).</summary>
    public string? Jwks { get; set; }

    /// <summary>Refused: a shared HS256 secret would let anyone with this configuration mint any citizen.</summary>
    public string? SigningKey { get; set; }

    /// <summary>Development only: the minter's EC private key, PEM (one per process when absent).</summary>
    public string? DevKeyPem { get; set; }

    /// <summary>A holder token older than this (by its <c>iat</c>, which it must carry) is refused, whatever its <c>exp</c>.</summary>
    public int MaxTokenAgeMinutes { get; set; } = 60;

    public int DevTokenLifetimeMinutes { get; set; } = 30;
}

/// <summary>The first administrator client, from configuration (<c>Bootstrap:AdminClientId</c>, <c>Bootstrap:AdminClientSecret</c>).</summary>
public sealed class BootstrapSettings
{
    public const string Section = "Bootstrap";

    public string AdminClientId { get; set; } = "admin";

    public string? AdminClientSecret { get; set; }
}
