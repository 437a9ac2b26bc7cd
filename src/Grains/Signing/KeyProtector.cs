using System.Security.Cryptography;
using System.Text;

namespace OrleansLicenses.Signing;

/// <summary>
/// Encrypts private keys at rest with AES-256-GCM under a key-encryption key from configuration.
/// </summary>
/// <remarks>
/// Blob format: <c>version (1 byte, = 1) || nonce (12 bytes, random) || ciphertext || tag (16 bytes)</c>.
/// The associated data is the UTF-8 encoding of a caller-given label (for example the unit credit code), so a
/// blob stored for one unit cannot be swapped in for another: decrypting under a different label fails.
/// Neither exception messages nor <see cref="ToString"/> ever contain key material or plaintext.
/// Thread-safe; dispose to wipe the key from memory.
/// </remarks>
public sealed class KeyProtector : IDisposable
{
    /// <summary>The only blob format version written and accepted.</summary>
    public const byte FormatVersion = 1;

    /// <summary>Size of the key-encryption key: 32 bytes (AES-256).</summary>
    public const int KeySize = 32;

    /// <summary>Nonce size: 12 bytes.</summary>
    public const int NonceSize = 12;

    /// <summary>Tag size: 16 bytes.</summary>
    public const int TagSize = 16;

    private const int HeaderSize = 1 + NonceSize;

    private readonly byte[] _key;
    private bool _disposed;

    /// <summary>Creates a protector from a 32-byte key.</summary>
    /// <exception cref="ArgumentException">The key is not 32 bytes.</exception>
    public KeyProtector(ReadOnlySpan<byte> key)
        : this(key.ToArray(), validated: false)
    {
    }

    /// <summary>Creates a protector from a base64-encoded 32-byte key (e.g. a configuration value).</summary>
    /// <exception cref="ArgumentException">Not base64, or does not decode to 32 bytes. The message never echoes the value.</exception>
    public KeyProtector(string base64Key)
        : this(DecodeBase64Key(base64Key), validated: true)
    {
    }

    // Takes ownership of the array.
    private KeyProtector(byte[] key, bool validated)
    {
        if (!validated && key.Length != KeySize)
        {
            int length = key.Length;
            CryptographicOperations.ZeroMemory(key);
            throw new ArgumentException($"The key-encryption key must be {KeySize} bytes (AES-256); got {length} bytes.", nameof(key));
        }

        if (!AesGcm.IsSupported)
        {
            throw new PlatformNotSupportedException("AES-GCM is not supported on this platform.");
        }

        _key = key;
    }

    /// <summary>Encrypts <paramref name="plaintext"/> bound to <paramref name="label"/>.</summary>
    public byte[] Protect(ReadOnlySpan<byte> plaintext, string label)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        byte[] associatedData = LabelBytes(label);

        byte[] blob = new byte[HeaderSize + plaintext.Length + TagSize];
        blob[0] = FormatVersion;
        Span<byte> nonce = blob.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);

        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(
            nonce,
            plaintext,
            blob.AsSpan(HeaderSize, plaintext.Length),
            blob.AsSpan(HeaderSize + plaintext.Length, TagSize),
            associatedData);
        return blob;
    }

    /// <summary>Decrypts a blob made by <see cref="Protect"/> under the same key and label.</summary>
    /// <exception cref="CryptographicException">
    /// The blob is malformed, has an unknown version, or fails authentication (wrong key, wrong label, or tampered).
    /// </exception>
    public byte[] Unprotect(ReadOnlySpan<byte> blob, string label)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        byte[] associatedData = LabelBytes(label);

        if (blob.Length < HeaderSize + TagSize)
        {
            throw new CryptographicException($"The protected key blob is too short ({blob.Length} bytes; at least {HeaderSize + TagSize} expected).");
        }

        if (blob[0] != FormatVersion)
        {
            throw new CryptographicException($"The protected key blob has unsupported format version {blob[0]} (expected {FormatVersion}).");
        }

        int ciphertextLength = blob.Length - HeaderSize - TagSize;
        byte[] plaintext = new byte[ciphertextLength];
        using var aes = new AesGcm(_key, TagSize);
        try
        {
            aes.Decrypt(
                blob.Slice(1, NonceSize),
                blob.Slice(HeaderSize, ciphertextLength),
                blob.Slice(HeaderSize + ciphertextLength, TagSize),
                plaintext,
                associatedData);
        }
        catch (CryptographicException ex)
        {
            CryptographicOperations.ZeroMemory(plaintext);
            throw new CryptographicException(
                "The protected key blob could not be decrypted: wrong key-encryption key, wrong label, or the blob was modified.",
                ex);
        }

        return plaintext;
    }

    /// <summary>Generates a fresh random 32-byte key, base64-encoded, for configuration.</summary>
    public static string GenerateKeyBase64() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(KeySize));

    /// <summary>Wipes the key from memory.</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            CryptographicOperations.ZeroMemory(_key);
            _disposed = true;
        }
    }

    /// <summary>Describes the protector without revealing the key.</summary>
    public override string ToString() => "KeyProtector(AES-256-GCM, format v1)";

    private static byte[] LabelBytes(string label)
    {
        ArgumentException.ThrowIfNullOrEmpty(label);
        return Encoding.UTF8.GetBytes(label);
    }

    private static byte[] DecodeBase64Key(string base64Key)
    {
        ArgumentNullException.ThrowIfNull(base64Key);
        byte[] buffer = new byte[KeySize + 3];
        if (!Convert.TryFromBase64String(base64Key.Trim(), buffer, out int written) || written != KeySize)
        {
            CryptographicOperations.ZeroMemory(buffer);
            throw new ArgumentException($"The key-encryption key must be base64 of exactly {KeySize} bytes.", nameof(base64Key));
        }

        byte[] key = buffer.AsSpan(0, KeySize).ToArray();
        CryptographicOperations.ZeroMemory(buffer);
        return key;
    }
}
