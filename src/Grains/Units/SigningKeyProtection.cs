using Microsoft.Extensions.Configuration;
using OrleansLicenses.Signing;

namespace OrleansLicenses.Units;

/// <summary>
/// The key-encryption key for private signing keys at rest (AES-256-GCM), from <c>Signing:KeyEncryptionKey</c>
/// (base64, 32 bytes). Required: without it no key could be read back after a restart.
/// </summary>
public sealed class SigningKeyProtection(IConfiguration configuration)
{
    public const string ConfigurationKey = "Signing:KeyEncryptionKey";

    private readonly KeyProtector protector = new(configuration[ConfigurationKey]
        ?? throw new InvalidOperationException($"{ConfigurationKey} is not configured (base64, 32 bytes)."));

    public byte[] Protect(Sm2KeyPair key, string label) => protector.Protect(key.ExportPkcs8(), label);

    public Sm2KeyPair Unprotect(byte[] blob, string label) => Sm2KeyPair.ImportPkcs8(protector.Unprotect(blob, label));
}
