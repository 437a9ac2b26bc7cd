using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;
using BcSm2Signer = Org.BouncyCastle.Crypto.Signers.SM2Signer;

namespace OrleansLicenses.Signing;

/// <summary>
/// One SM2 private key ready for signing on many threads at once: the key on the specialised sm2p256v1 curve and a
/// small lock-free pool of initialised BouncyCastle signers (SM3, default user id). Signatures are the same DER
/// SEQUENCE(r, s) as <see cref="Sm2Signer.Sign(ECPrivateKeyParameters, ReadOnlySpan{byte})"/>.
/// </summary>
/// <remarks>
/// A BouncyCastle <c>SM2Signer</c> is not thread-safe, and initialising one costs a point multiplication (it derives
/// the public key) and the Z<sub>A</sub> hash; after a signature it resets itself to the state just after
/// initialisation. So a signer is rented for one signature only and returned; a thread that finds the pool empty
/// creates one, and a signer returned to a full pool is dropped. Thread-safe. <see cref="ToString"/> shows no secret.
/// </remarks>
public sealed class Sm2SigningKey
{
    private readonly ECPrivateKeyParameters privateKey;
    private readonly BcSm2Signer?[] pool;

    /// <summary>Creates the signing key of a key pair; the private key is moved to the specialised curve if needed.</summary>
    /// <exception cref="ArgumentException">Not an SM2 key.</exception>
    public Sm2SigningKey(ECPrivateKeyParameters privateKey, ECPublicKeyParameters publicKey)
    {
        ArgumentNullException.ThrowIfNull(privateKey);
        ArgumentNullException.ThrowIfNull(publicKey);
        if (!Sm2Keys.IsSm2Domain(privateKey.Parameters))
        {
            throw new ArgumentException("The key is not an SM2 (sm2p256v1) private key.", nameof(privateKey));
        }

        this.privateKey = ReferenceEquals(privateKey.Parameters, Sm2Keys.DomainParameters)
            ? privateKey
            : new ECPrivateKeyParameters("EC", privateKey.D, Sm2Keys.DomainParameters);
        PublicKey = Sm2Keys.ToSm2PublicKey(publicKey, nameof(publicKey));

        // Enough for every core to sign at once, plus some slack for threads preempted while holding one.
        pool = new BcSm2Signer?[Math.Clamp(Environment.ProcessorCount * 2, 4, 64)];
    }

    /// <summary>The public key, on the specialised curve.</summary>
    public ECPublicKeyParameters PublicKey { get; }

    /// <summary>Signs <paramref name="data"/>; returns a DER SEQUENCE(r, s). Safe to call from any number of threads.</summary>
    public byte[] Sign(ReadOnlySpan<byte> data)
    {
        BcSm2Signer signer = Rent();

        // Returned only after a signature completed: a signer that threw is in an unknown state and is dropped.
        signer.BlockUpdate(data);
        byte[] signature = signer.GenerateSignature();
        Return(signer);
        return signature;
    }

    /// <summary>Shows only the public key fingerprint.</summary>
    public override string ToString() => $"Sm2SigningKey(public key SM3 fingerprint {Sm2Keys.Fingerprint(PublicKey)})";

    private BcSm2Signer Rent()
    {
        for (int i = 0; i < pool.Length; i++)
        {
            if (Volatile.Read(ref pool[i]) is not null && Interlocked.Exchange(ref pool[i], null) is { } signer)
            {
                return signer;
            }
        }

        var created = new BcSm2Signer(new SM3Digest());
        created.Init(true, new ParametersWithID(new ParametersWithRandom(privateKey, new SecureRandom()), Sm2Signer.DefaultUserId.ToArray()));
        return created;
    }

    private void Return(BcSm2Signer signer)
    {
        for (int i = 0; i < pool.Length; i++)
        {
            if (Volatile.Read(ref pool[i]) is null && Interlocked.CompareExchange(ref pool[i], signer, null) is null)
            {
                return;
            }
        }
    }
}
