using System.Security.Cryptography;

namespace OrleansLicenses.Tests;

/// <summary>Secrets generated once per test process (never constants checked into the repository).</summary>
public static class TestSecrets
{
    public static string KeyEncryptionKey { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
}
