using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace OrleansLicenses.ApiHost.Verification;

/// <summary>
/// Presentation tokens (亮证码): short-lived, single-licence, bound to the holder and the purpose, unguessable
/// (random nonce) and tamper-evident without a database read. The payload is sealed with AES-256-GCM under
/// <c>Presentations:SigningKey</c> (shared by all API hosts; a per-process key in Development when none is
/// configured), so whoever scans the QR code learns nothing — in particular not the holder's id number — and any
/// change to the token is detected. Format: base64url(12-byte nonce ‖ ciphertext ‖ 16-byte tag).
/// </summary>
public sealed class PresentationTokens
{
    public const int MaxTtlSeconds = 600;
    public const int DefaultTtlSeconds = 300;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private static readonly byte[] AssociatedData = "orleans-licenses/presentation-v2"u8.ToArray();
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
            if (key.Length != 32)
            {
                throw new InvalidOperationException("Presentations:SigningKey must be 32 bytes (base64).");
            }
        }
    }

    /// <summary>The sealed content: licence, version, holder key, purpose, expiry and issue time (Unix seconds), the
    /// token's random id and the uses its holder allowed (the licence grain spends them, issue 13).</summary>
    public sealed record Payload(string Lic, string Ver, string Hk, string Purpose, long Exp, long Iat, string Pid, int Uses)
    {
        public OrleansLicenses.Verification.PresentedToken ToPresented() =>
            new(Pid, Uses, DateTimeOffset.FromUnixTimeSeconds(Iat), DateTimeOffset.FromUnixTimeSeconds(Exp));
    }

    public (string Token, DateTimeOffset ExpiresAt) Create(string identifier, string version, string holderKey, string purpose, int ttlSeconds,
        int maxUses = 1)
    {
        var now = time.GetUtcNow();
        var expires = now.AddSeconds(ttlSeconds);
        var id = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(16));
        var plaintext = JsonSerializer.SerializeToUtf8Bytes(new Payload(identifier, version, holderKey, purpose, expires.ToUnixTimeSeconds(),
            now.ToUnixTimeSeconds(), id, maxUses));
        var sealedToken = new byte[NonceSize + plaintext.Length + TagSize];
        var nonce = sealedToken.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(nonce, plaintext, sealedToken.AsSpan(NonceSize, plaintext.Length), sealedToken.AsSpan(NonceSize + plaintext.Length), AssociatedData);
        return (Base64UrlEncoder.Encode(sealedToken), expires);
    }

    /// <summary>The payload of a genuine, unexpired token; otherwise null and the reason.</summary>
    public Payload? Validate(string token, out string? reason)
    {
        reason = "is not a genuine presentation token";
        byte[] sealedToken;
        try
        {
            sealedToken = Base64UrlEncoder.DecodeBytes(token);
        }
        catch (FormatException)
        {
            return null;
        }

        if (sealedToken.Length <= NonceSize + TagSize)
        {
            return null;
        }

        var plaintext = new byte[sealedToken.Length - NonceSize - TagSize];
        try
        {
            using var aes = new AesGcm(key, TagSize);
            aes.Decrypt(sealedToken.AsSpan(0, NonceSize), sealedToken.AsSpan(NonceSize, plaintext.Length),
                sealedToken.AsSpan(NonceSize + plaintext.Length), plaintext, AssociatedData);
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }

        var payload = JsonSerializer.Deserialize<Payload>(plaintext);
        if (payload is null || string.IsNullOrEmpty(payload.Pid) || DateTimeOffset.FromUnixTimeSeconds(payload.Exp) <= time.GetUtcNow())
        {
            reason = "has expired";
            return null;
        }

        reason = null;
        return payload;
    }
}
