using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace OrleansLicenses.ApiHost.Verification;

/// <summary>
/// Presentation tokens (亮证码): short-lived, single-licence, bound to the holder and purpose, unguessable (a random
/// nonce) and tamper-evident without a database read (HMAC-SHA256 under <c>Presentations:SigningKey</c>, shared by
/// all API hosts; a per-process key in Development when none is configured).
/// Format: base64url(JSON payload) "." base64url(MAC).
/// </summary>
public sealed class PresentationTokens
{
    public const int MaxTtlSeconds = 600;
    public const int DefaultTtlSeconds = 300;
    private readonly byte[] key;
    private readonly TimeProvider time;

    public PresentationTokens(IConfiguration configuration, IHostEnvironment environment, TimeProvider time)
    {
        this.time = time;
        var configured = configuration["Presentations:SigningKey"];
        if (string.IsNullOrEmpty(configured))
        {
            key = environment.IsDevelopment()
                ? RandomNumberGenerator.GetBytes(32)
                : throw new InvalidOperationException("Presentations:SigningKey must be configured outside Development (base64, 32 bytes).");
        }
        else
        {
            key = Convert.FromBase64String(configured);
        }
    }

    public sealed record Payload(string Lic, string Ver, string Hk, string Purpose, long Exp, string Nonce);

    public (string Token, DateTimeOffset ExpiresAt) Create(string identifier, string version, string holderKey, string purpose, int ttlSeconds)
    {
        var expires = time.GetUtcNow().AddSeconds(ttlSeconds);
        var payload = new Payload(identifier, version, holderKey, purpose, expires.ToUnixTimeSeconds(), Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(16)));
        var body = Base64UrlEncoder.Encode(JsonSerializer.SerializeToUtf8Bytes(payload));
        return ($"{body}.{Base64UrlEncoder.Encode(Mac(body))}", expires);
    }

    /// <summary>The payload of a genuine, unexpired token; otherwise null and the reason.</summary>
    public Payload? Validate(string token, out string? reason)
    {
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        byte[] mac;
        try
        {
            mac = dot > 0 ? Base64UrlEncoder.DecodeBytes(token[(dot + 1)..]) : [];
        }
        catch (FormatException)
        {
            mac = [];
        }

        if (dot <= 0 || !CryptographicOperations.FixedTimeEquals(mac, Mac(token[..dot])))
        {
            reason = "is not a genuine presentation token";
            return null;
        }

        var payload = JsonSerializer.Deserialize<Payload>(Base64UrlEncoder.DecodeBytes(token[..dot]));
        if (payload is null || DateTimeOffset.FromUnixTimeSeconds(payload.Exp) <= time.GetUtcNow())
        {
            reason = "has expired";
            return null;
        }

        reason = null;
        return payload;
    }

    private byte[] Mac(string body) => HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(body));
}
