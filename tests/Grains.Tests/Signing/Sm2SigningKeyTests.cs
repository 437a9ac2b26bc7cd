using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Org.BouncyCastle.Asn1.GM;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math.EC.Multiplier;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;
using OrleansLicenses.Signing;
using OrleansLicenses.Units;
using Xunit;
using BcBigInteger = Org.BouncyCastle.Math.BigInteger;
using BcSm2Signer = Org.BouncyCastle.Crypto.Signers.SM2Signer;

namespace OrleansLicenses.Tests.Signing;

/// <summary>
/// The fast signing path: keys on the specialised sm2p256v1 curve, pooled signers shared by many threads, and keys
/// stored earlier on BouncyCastle's generic (GMNamedCurves) curve.
/// </summary>
public sealed class Sm2SigningKeyTests
{
    private const string UnitCode = "12330100MB0A12345X";

    private static readonly byte[] Message = "{\"licence\":\"食品经营许可证\",\"number\":\"JY12330100000001\"}"u8.ToArray();

    private static readonly ECNamedDomainParameters GenericDomain =
        new(GMObjectIdentifiers.sm2p256v1, GMNamedCurves.GetByOid(GMObjectIdentifiers.sm2p256v1));

    [Fact]
    public void Keys_are_built_on_the_specialised_curve_however_they_arrive()
    {
        Sm2KeyPair generated = Sm2KeyPair.Generate();
        Sm2KeyPair imported = Sm2KeyPair.ImportPkcs8(generated.ExportPkcs8());
        ECPublicKeyParameters spki = Sm2Keys.ImportSubjectPublicKeyInfo(generated.ExportSubjectPublicKeyInfo());
        CertificateAuthority ca = SigningTestData.NewAuthority();
        var certified = UnitCertificateInfo.Parse(ca.IssueUnitCertificate(generated.PublicKey, SigningTestData.UnitName, SigningTestData.UnitCreditCode));

        // BouncyCastle's specialised class is internal: check its name once, then that every key uses that curve object.
        Assert.Equal("SM2P256V1Curve", Sm2Keys.DomainParameters.Curve.GetType().Name);
        Assert.Same(Sm2Keys.DomainParameters.Curve, generated.PrivateKey.Parameters.Curve);
        Assert.Same(Sm2Keys.DomainParameters.Curve, imported.PrivateKey.Parameters.Curve);
        Assert.Same(Sm2Keys.DomainParameters.Curve, imported.PublicKey.Q.Curve);
        Assert.Same(Sm2Keys.DomainParameters.Curve, spki.Q.Curve);
        Assert.Same(Sm2Keys.DomainParameters.Curve, certified.PublicKey.Q.Curve);
        Assert.Equal(generated.PublicKey.Q, certified.PublicKey.Q);
    }

    [Fact]
    public void Parallel_signing_with_one_key_gives_only_valid_distinct_signatures()
    {
        Sm2KeyPair key = Sm2KeyPair.Generate();
        var signatures = new ConcurrentBag<(int Index, byte[] Signature)>();
        const int threads = 16;
        const int perThread = 40;

        using var start = new Barrier(threads);
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            for (int i = 0; i < perThread; i++)
            {
                int index = (t * perThread) + i;
                signatures.Add((index, key.SigningKey.Sign(MessageFor(index))));
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());

        Assert.Equal(threads * perThread, signatures.Count);
        foreach (var (index, signature) in signatures)
        {
            Assert.True(Sm2Signer.Verify(key.PublicKey, MessageFor(index), signature), $"signature {index} does not verify");
            Assert.False(Sm2Signer.Verify(key.PublicKey, MessageFor(index + 1), signature), $"signature {index} verifies another message");
        }

        Assert.Equal(signatures.Count, signatures.Select(s => Convert.ToHexString(s.Signature)).Distinct().Count());
    }

    [Fact]
    public void Pooled_signatures_verify_with_openssl()
    {
        using OpenSslTool openssl = OpenSslTool.Create();
        Sm2KeyPair key = Sm2KeyPair.Generate();
        openssl.Write("pub.der", key.ExportSubjectPublicKeyInfo());
        openssl.RunOk("pkey", "-pubin", "-inform", "DER", "-in", "pub.der", "-out", "pub.pem");
        openssl.Write("msg.bin", Message);
        for (int i = 0; i < 3; i++)
        {
            // The same pooled signer signs again after its first signature: each must verify.
            openssl.Write("msg.sig", key.SigningKey.Sign(Message));
            var result = openssl.Run("dgst", "-sm3", "-verify", "pub.pem", "-sigopt", OpenSslTool.DistId, "-signature", "msg.sig", "msg.bin");
            Assert.True(result.ExitCode == 0, result.All);
        }
    }

    [Fact]
    public void A_key_stored_earlier_on_the_generic_curve_still_decrypts_and_signs_compatibly()
    {
        // A key as the platform made and stored them before: on GMNamedCurves, PKCS#8, encrypted at rest.
        var (legacyPrivate, legacyPublic) = GenericCurveKey();
        byte[] legacyPkcs8 = PrivateKeyInfoFactory.CreatePrivateKeyInfo(legacyPrivate).GetDerEncoded();
        var protection = new SigningKeyProtection(new ConfigurationBuilder()
            .AddInMemoryCollection([new(SigningKeyProtection.ConfigurationKey, TestSecrets.KeyEncryptionKey)]).Build());
        byte[] legacyBlob = new KeyProtector(TestSecrets.KeyEncryptionKey).Protect(legacyPkcs8, UnitCode);

        Sm2KeyPair restored = protection.Unprotect(legacyBlob, UnitCode);
        Assert.Same(Sm2Keys.DomainParameters.Curve, restored.PrivateKey.Parameters.Curve);
        Assert.Equal(legacyPkcs8, restored.ExportPkcs8());

        // Signed on the fast path, verified by BouncyCastle's stock verifier on the generic curve and by ours.
        byte[] signature = restored.SigningKey.Sign(Message);
        var stock = new BcSm2Signer(new SM3Digest());
        stock.Init(false, new ParametersWithID(legacyPublic, Sm2Signer.DefaultUserId.ToArray()));
        stock.BlockUpdate(Message);
        Assert.True(stock.VerifySignature(signature));
        Assert.True(Sm2Signer.Verify(legacyPublic, Message, signature));

        // And the other way: a stock signature on the generic curve verifies on the fast path.
        var legacySigner = new BcSm2Signer(new SM3Digest());
        legacySigner.Init(true, new ParametersWithID(new ParametersWithRandom(legacyPrivate, new SecureRandom()), Sm2Signer.DefaultUserId.ToArray()));
        legacySigner.BlockUpdate(Message);
        Assert.True(Sm2Signer.Verify(restored.PublicKey, Message, legacySigner.GenerateSignature()));
        Assert.True(Sm2Signer.Verify(restored.PublicKey, Message, Sm2Signer.Sign(legacyPrivate, Message)));
    }

    [Fact]
    public void Domain_check_accepts_sm2_on_either_curve_object_and_refuses_others()
    {
        var (legacyPrivate, legacyPublic) = GenericCurveKey();
        Assert.Equal(legacyPublic.Q.Normalize().AffineXCoord.ToBigInteger(), new Sm2SigningKey(legacyPrivate, legacyPublic).PublicKey.Q.AffineXCoord.ToBigInteger());

        var p256 = Org.BouncyCastle.Asn1.X9.ECNamedCurveTable.GetByName("P-256");
        var other = new ECPrivateKeyParameters("EC", BcBigInteger.Two, new ECDomainParameters(p256));
        var otherPublic = new ECPublicKeyParameters("EC", p256.G.Multiply(BcBigInteger.Two).Normalize(), new ECDomainParameters(p256));
        Assert.Throws<ArgumentException>(() => new Sm2SigningKey(other, otherPublic));
        Assert.Throws<ArgumentException>(() => Sm2Signer.Sign(other, Message));
    }

    private static (ECPrivateKeyParameters Private, ECPublicKeyParameters Public) GenericCurveKey()
    {
        var d = new BcBigInteger(1, Sm2KeyPair.Generate().PrivateKey.D.ToByteArrayUnsigned());
        var q = new FixedPointCombMultiplier().Multiply(GenericDomain.G, d).Normalize();
        Assert.NotSame(Sm2Keys.DomainParameters.Curve, q.Curve);
        return (new ECPrivateKeyParameters("EC", d, GenericDomain), new ECPublicKeyParameters("EC", q, GenericDomain));
    }

    private static byte[] MessageFor(int index) => [.. Message, .. BitConverter.GetBytes(index)];
}
