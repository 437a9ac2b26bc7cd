using Org.BouncyCastle.Asn1.GM;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;
using OrleansLicenses.Signing;
using BcSm2Signer = Org.BouncyCastle.Crypto.Signers.SM2Signer;

namespace OrleansLicenses.Bench;

/// <summary>The two signing paths, each checked once to make verifiable signatures before it is timed.</summary>
internal static class Workloads
{
    /// <summary>A JSON-like message of about <paramref name="size"/> bytes, like a canonical licence document.</summary>
    public static byte[] Message(int size)
    {
        var text = new System.Text.StringBuilder("{\"fields\":{");
        for (int i = 0; text.Length < size - 40; i++)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"\"f{i}\":\"示例字段值{i}\",");
        }

        text.Append("\"end\":true},\"signedAt\":\"2026-12-02T08:00:00Z\"}");
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(text.ToString());
        return bytes[..Math.Min(bytes.Length, size)];
    }

    /// <summary>
    /// BouncyCastle's stock SM2Signer with SM3 on the generic GMNamedCurves sm2p256v1, one instance reused: after each
    /// signature it resets itself to the initialised state (Z_A hashed in), so no re-Init is needed.
    /// </summary>
    public static Action Reference(byte[] message)
    {
        var domain = new ECNamedDomainParameters(GMObjectIdentifiers.sm2p256v1, GMNamedCurves.GetByOid(GMObjectIdentifiers.sm2p256v1));
        var generator = new ECKeyPairGenerator();
        generator.Init(new ECKeyGenerationParameters(domain, new SecureRandom()));
        var pair = generator.GenerateKeyPair();
        var signer = new BcSm2Signer(new SM3Digest());
        signer.Init(true, new ParametersWithID(new ParametersWithRandom(pair.Private, new SecureRandom()), Sm2Signer.DefaultUserId.ToArray()));

        signer.BlockUpdate(message);
        Check(Sm2Signer.Verify((ECPublicKeyParameters)pair.Public, message, signer.GenerateSignature()), "reference");
        return () =>
        {
            signer.BlockUpdate(message);
            _ = signer.GenerateSignature();
        };
    }

    /// <summary>The platform's path: the pooled signer of a unit key, as UnitSigners uses it.</summary>
    public static Action Platform(byte[] message)
    {
        var key = Sm2KeyPair.Generate().SigningKey;
        Check(Sm2Signer.Verify(key.PublicKey, message, key.Sign(message)), "platform");
        return () => _ = key.Sign(message);
    }

    private static void Check(bool verified, string name)
    {
        if (!verified)
        {
            throw new InvalidOperationException($"The {name} signature does not verify.");
        }
    }
}
