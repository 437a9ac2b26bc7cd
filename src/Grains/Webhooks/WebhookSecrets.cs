using System.Text;
using Microsoft.Extensions.Configuration;
using OrleansLicenses.Signing;
using OrleansLicenses.Units;

namespace OrleansLicenses.Webhooks;

/// <summary>
/// Webhook secrets at rest: AES-256-GCM (<see cref="KeyProtector"/>) under the silos' key-encryption key
/// (<c>Signing:KeyEncryptionKey</c>), bound to the label <c>webhook-secret:&lt;unit code&gt;</c>, so a stored secret cannot be
/// moved to another unit and is never confused with a signing key. Encrypted, not hashed: the dispatcher needs the secret
/// itself to sign.
/// </summary>
public sealed class WebhookSecrets(IConfiguration configuration) : IDisposable
{
    private readonly KeyProtector protector = new(configuration[SigningKeyProtection.ConfigurationKey]
        ?? throw new InvalidOperationException($"{SigningKeyProtection.ConfigurationKey} is not configured (base64, 32 bytes)."));

    public byte[] Protect(string unitCode, string secret) => protector.Protect(Encoding.UTF8.GetBytes(secret), Label(unitCode));

    public string Unprotect(string unitCode, byte[] blob) => Encoding.UTF8.GetString(protector.Unprotect(blob, Label(unitCode)));

    public void Dispose() => protector.Dispose();

    private static string Label(string unitCode) => $"webhook-secret:{unitCode}";
}
