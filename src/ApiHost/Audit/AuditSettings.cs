using OrleansLicenses.Audit;
using System.Text;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Macs;
using Org.BouncyCastle.Crypto.Parameters;

namespace OrleansLicenses.ApiHost.Audit;

/// <summary>Audit trail settings, bound from <c>Audit</c>.</summary>
public sealed class AuditSettings
{
    public const string Section = "Audit";

    /// <summary>Base64 key (at least 32 bytes) for HMAC-SM3 checkpoint signatures and actor lookups. Required outside Development.</summary>
    public string? CheckpointKey { get; set; }

    /// <summary>Earlier checkpoint keys, accepted when verifying checkpoints they signed (never used to sign).</summary>
    public List<string> PreviousCheckpointKeys { get; set; } = [];

    /// <summary>
    /// The append-only file outside PostgreSQL where this host also writes each checkpoint it signs (see
    /// <see cref="AuditAnchor"/>); the verifier checks the database against it. Unset: no external anchor.
    /// </summary>
    public string? AnchorFile { get; set; }

    /// <summary>How often each API host checkpoints the head when it moved (0 turns the timer off).</summary>
    public int CheckpointIntervalSeconds { get; set; } = 60;

    /// <summary>How long a request waits for its record to commit before it is answered 503.</summary>
    public int WriteTimeoutSeconds { get; set; } = 5;

    /// <summary>Most records committed in one transaction.</summary>
    public int MaxBatchSize { get; set; } = 256;

    /// <summary>Records waiting for the writer before new requests wait for room.</summary>
    public int QueueCapacity { get; set; } = 10_000;
}

/// <summary>
/// The checkpoint keys. A key is named by its id (the first 8 bytes of SM3 over a tag and the key, hex), stored
/// with each checkpoint, so a rotated key's checkpoints still verify while the key is listed in
/// <see cref="AuditSettings.PreviousCheckpointKeys"/>. Development without a configured key uses a fixed,
/// published development key: its checkpoints prove nothing and are named so (<c>dev-...</c>).
/// </summary>
public sealed class AuditKeys
{
    private const string DevelopmentSeed = "OrleansLicenses development audit checkpoint key - not a secret";
    private static readonly byte[] CheckpointTag = "OLAUDIT-CP1"u8.ToArray();
    private readonly Dictionary<string, byte[]> keys = new(StringComparer.Ordinal);
    private readonly byte[] actorKey;

    public AuditKeys(AuditSettings settings, bool isDevelopment)
    {
        byte[] current;
        if (string.IsNullOrWhiteSpace(settings.CheckpointKey))
        {
            if (!isDevelopment)
            {
                throw new InvalidOperationException("Audit:CheckpointKey must be configured outside Development (base64, at least 32 bytes).");
            }

            current = Sm3(Encoding.UTF8.GetBytes(DevelopmentSeed));
            CurrentId = "dev-" + KeyId(current);
            IsDevelopmentKey = true;
        }
        else
        {
            current = Decode(settings.CheckpointKey, "Audit:CheckpointKey");
            CurrentId = KeyId(current);
        }

        Current = current;
        keys[CurrentId] = current;
        foreach (var previous in settings.PreviousCheckpointKeys)
        {
            var key = Decode(previous, "Audit:PreviousCheckpointKeys");
            keys.TryAdd(KeyId(key), key);
        }

        actorKey = Mac(current, "OLAUDIT-ACTOR"u8);
    }

    public string CurrentId { get; }

    public bool IsDevelopmentKey { get; }

    private byte[] Current { get; }

    /// <summary>The MAC of a checkpoint: HMAC-SM3 over the tag <c>OLAUDIT-CP1</c>, seq, head hash and time.</summary>
    public byte[] Sign(long seq, byte[] hash, DateTimeOffset createdAt) => Mac(Current, CheckpointMessage(seq, hash, createdAt));

    /// <summary>Whether a stored checkpoint carries a valid MAC under the key it names; null when that key is unknown.</summary>
    public bool? Verify(string keyId, long seq, byte[] hash, DateTimeOffset createdAt, byte[] mac) =>
        keys.TryGetValue(keyId, out var key)
            ? System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(Mac(key, CheckpointMessage(seq, hash, createdAt)), mac)
            : null;

    /// <summary>A stable pseudonym for a subject (HMAC-SM3 under a key derived from the current key), hex, 32 characters.</summary>
    public string ActorRef(string subject) => Convert.ToHexStringLower(Mac(actorKey, Encoding.UTF8.GetBytes(subject)).AsSpan(0, 16));

    private static byte[] CheckpointMessage(long seq, byte[] hash, DateTimeOffset createdAt)
    {
        var message = new byte[CheckpointTag.Length + 8 + hash.Length + 8];
        CheckpointTag.CopyTo(message, 0);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(message.AsSpan(CheckpointTag.Length), seq);
        hash.CopyTo(message, CheckpointTag.Length + 8);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(message.AsSpan(CheckpointTag.Length + 8 + hash.Length),
            AuditChain.ToUnixMicroseconds(createdAt));
        return message;
    }

    private static byte[] Mac(byte[] key, ReadOnlySpan<byte> message)
    {
        var hmac = new HMac(new SM3Digest());
        hmac.Init(new KeyParameter(key));
        hmac.BlockUpdate(message);
        var result = new byte[hmac.GetMacSize()];
        hmac.DoFinal(result);
        return result;
    }

    private static byte[] Sm3(ReadOnlySpan<byte> data)
    {
        var digest = new SM3Digest();
        digest.BlockUpdate(data);
        var result = new byte[digest.GetDigestSize()];
        digest.DoFinal(result);
        return result;
    }

    private static string KeyId(byte[] key) => Convert.ToHexStringLower(Sm3([.. "OLAUDIT-KEYID"u8, .. key]).AsSpan(0, 8));

    private static byte[] Decode(string value, string name)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(value);
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"{name} must be base64.");
        }

        return bytes.Length >= 32 ? bytes : throw new InvalidOperationException($"{name} must be at least 32 bytes.");
    }
}
