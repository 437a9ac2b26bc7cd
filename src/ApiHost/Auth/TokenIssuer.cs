using System.Security.Claims;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace OrleansLicenses.ApiHost.Auth;

/// <summary>The keys tokens are signed and validated with, resolved once at start-up.</summary>
public sealed class TokenKeys
{
    public TokenKeys(IOptions<AuthSettings> options, IConfiguration configuration, IHostEnvironment environment)
    {
        var settings = options.Value;
        Platform = Resolve(settings.SigningKey, "Auth:SigningKey", environment);
        Holder = new HolderTrust(settings.Holder, configuration, environment);
    }

    /// <summary>The platform's own HS256 key: it signs and validates the tokens of system clients only.</summary>
    public SymmetricSecurityKey Platform { get; }

    public HolderTrust Holder { get; }

    private static SymmetricSecurityKey Resolve(string? configured, string name, IHostEnvironment environment)
    {
        if (string.IsNullOrWhiteSpace(configured))
        {
            if (!environment.IsDevelopment())
            {
                throw new InvalidOperationException($"{name} must be configured outside Development (base64, at least 32 bytes).");
            }

            // Development without a configured key: a per-process random key (tokens end with the process).
            return new SymmetricSecurityKey(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        }

        var bytes = Convert.FromBase64String(configured);
        if (bytes.Length < 32)
        {
            throw new InvalidOperationException($"{name} must be at least 32 bytes.");
        }

        return new SymmetricSecurityKey(bytes);
    }
}

/// <summary>Mints the platform's own access tokens (client credentials) and, in Development, holder tokens.</summary>
public sealed class TokenIssuer(TokenKeys keys, IOptions<AuthSettings> options, TimeProvider time)
{
    private readonly JsonWebTokenHandler handler = new();

    /// <summary>A system client's token: its own id (<c>jti</c>) and the client's <paramref name="version"/>, which <see cref="ClientStandings"/> checks.</summary>
    public TokenResponse ForClient(string clientId, string role, string? unitCode, string? regionCode, int version)
    {
        var settings = options.Value;
        var claims = new Dictionary<string, object>
        {
            [JwtRegisteredClaimNames.Sub] = clientId,
            [JwtRegisteredClaimNames.Jti] = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)),
            [ClaimNames.ClientId] = clientId,
            [ClaimNames.ClientVersion] = version,
            [ClaimNames.Role] = role,
        };
        if (unitCode is not null)
        {
            claims[ClaimNames.Unit] = unitCode;
        }

        if (regionCode is not null)
        {
            claims[ClaimNames.Region] = regionCode;
        }

        return Mint(settings.Issuer, settings.Audience, new SigningCredentials(keys.Platform, SecurityAlgorithms.HmacSha256), claims,
            TimeSpan.FromMinutes(settings.TokenLifetimeMinutes));
    }

    /// <summary>What the real-name platform would issue, signed with the development key; only the Development minter calls this.</summary>
    public TokenResponse ForHolder(string idType, string idNumber, string name)
    {
        var settings = options.Value;
        var key = keys.Holder.DevSigningKey ?? throw new InvalidOperationException("There is no development minter outside Development.");
        var claims = new Dictionary<string, object>
        {
            [JwtRegisteredClaimNames.Sub] = $"{idType}:{idNumber}",
            [ClaimNames.IdType] = idType,
            [ClaimNames.IdNumber] = idNumber,
            [ClaimNames.Name] = name,
        };
        return Mint(settings.Holder.Issuer, settings.Audience, new SigningCredentials(key, SecurityAlgorithms.EcdsaSha256), claims,
            TimeSpan.FromMinutes(settings.Holder.DevTokenLifetimeMinutes));
    }

    private TokenResponse Mint(string issuer, string audience, SigningCredentials credentials, Dictionary<string, object> claims, TimeSpan lifetime)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var token = handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            Claims = claims,
            SigningCredentials = credentials,
        });
        return new TokenResponse(token, "Bearer", (int)lifetime.TotalSeconds);
    }
}

/// <summary>RFC 6749 §5.1 token response.</summary>
public sealed record TokenResponse(
    [property: System.Text.Json.Serialization.JsonPropertyName("access_token")] string AccessToken,
    [property: System.Text.Json.Serialization.JsonPropertyName("token_type")] string TokenType,
    [property: System.Text.Json.Serialization.JsonPropertyName("expires_in")] int ExpiresIn);

/// <summary>Claim names in our tokens (inbound claim mapping is off, so these are what handlers see).</summary>
public static class ClaimNames
{
    public const string Role = "role";
    public const string ClientId = "client_id";
    public const string ClientVersion = "client_version";
    public const string Unit = "unit";
    public const string Region = "region";
    public const string IdType = "id_type";
    public const string IdNumber = "id_number";
    public const string Name = "name";
    public const string Subject = "sub";
}
