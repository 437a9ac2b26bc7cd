using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;
using BcSm2Signer = Org.BouncyCastle.Crypto.Signers.SM2Signer;

namespace OrleansLicenses.Signing;

/// <summary>
/// SM2 digital signatures (GM/T 0003.2, GB/T 32918.2) with the SM3 hash (GM/T 0004), using the user identity
/// <c>1234567812345678</c> that GM/T 0009 defines as the default. The message is hashed as
/// SM3(Z<sub>A</sub> || M) where Z<sub>A</sub> binds the user id and public key.
/// Signatures are DER <c>SEQUENCE { r INTEGER, s INTEGER }</c>, as OpenSSL produces and expects.
/// </summary>
public static class Sm2Signer
{
    private static readonly byte[] DefaultUserIdBytes = "1234567812345678"u8.ToArray();

    /// <summary>The GM/T 0009 default user id, <c>1234567812345678</c> (ASCII), used by every method here.</summary>
    public static ReadOnlySpan<byte> DefaultUserId => "1234567812345678"u8;

    /// <summary>Signs <paramref name="data"/> with the key pair's private key, through its pooled <see cref="Sm2KeyPair.SigningKey"/>.</summary>
    public static byte[] Sign(Sm2KeyPair keyPair, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(keyPair);
        return keyPair.SigningKey.Sign(data);
    }

    /// <summary>
    /// Signs <paramref name="data"/> with an SM2 private key, with a signer made for this one signature (prefer
    /// <see cref="Sm2SigningKey"/> for repeated signing). Returns a DER SEQUENCE(r, s).
    /// </summary>
    public static byte[] Sign(ECPrivateKeyParameters privateKey, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(privateKey);
        if (!Sm2Keys.IsSm2Domain(privateKey.Parameters))
        {
            throw new ArgumentException("The key is not an SM2 (sm2p256v1) private key.", nameof(privateKey));
        }

        // On the specialised curve whichever curve object the key came with.
        var key = ReferenceEquals(privateKey.Parameters, Sm2Keys.DomainParameters)
            ? privateKey
            : new ECPrivateKeyParameters("EC", privateKey.D, Sm2Keys.DomainParameters);
        var signer = new BcSm2Signer(new SM3Digest());
        signer.Init(true, new ParametersWithID(new ParametersWithRandom(key, new SecureRandom()), DefaultUserIdBytes));
        signer.BlockUpdate(data);
        return signer.GenerateSignature();
    }

    /// <summary>Verifies a DER SEQUENCE(r, s) signature over <paramref name="data"/> with the key pair's public key.</summary>
    public static bool Verify(Sm2KeyPair keyPair, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        ArgumentNullException.ThrowIfNull(keyPair);
        return Verify(keyPair.PublicKey, data, signature);
    }

    /// <summary>
    /// Verifies a DER SEQUENCE(r, s) signature over <paramref name="data"/>. Returns <see langword="false"/>
    /// (never throws) for a wrong, malformed or non-canonically encoded signature.
    /// </summary>
    public static bool Verify(ECPublicKeyParameters publicKey, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        if (!Sm2Keys.IsSm2Domain(publicKey.Parameters))
        {
            throw new ArgumentException("The key is not an SM2 (sm2p256v1) public key.", nameof(publicKey));
        }

        // An SM2 P-256 DER signature is at most 72 bytes; refuse anything absurd before parsing.
        if (signature.IsEmpty || signature.Length > 80)
        {
            return false;
        }

        // Verification is one double multiplication: do it on the specialised curve even for a key built elsewhere.
        var verifier = new BcSm2Signer(new SM3Digest());
        verifier.Init(false, new ParametersWithID(Sm2Keys.ToSm2PublicKey(publicKey, nameof(publicKey)), DefaultUserIdBytes));
        verifier.BlockUpdate(data);
        try
        {
            // BouncyCastle's StandardDsaEncoding rejects non-DER (re-encodes and compares) and out-of-range r, s.
            return verifier.VerifySignature(signature.ToArray());
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Malformed encodings surface as various BouncyCastle/ASN.1 exceptions; all mean "does not verify".
            return false;
        }
    }

    /// <summary>Verifies a signature with a public key given as X.509 SubjectPublicKeyInfo DER.</summary>
    /// <exception cref="ArgumentException">The public key bytes are not an SM2 SubjectPublicKeyInfo.</exception>
    public static bool VerifyWithSubjectPublicKeyInfo(ReadOnlySpan<byte> subjectPublicKeyInfoDer, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) =>
        Verify(Sm2Keys.ImportSubjectPublicKeyInfo(subjectPublicKeyInfoDer), data, signature);
}
