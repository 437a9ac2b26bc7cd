using System.Security.Cryptography;
using System.Text;
using OrleansLicenses.Signing;
using Xunit;

namespace OrleansLicenses.Tests.Signing;

public sealed class Sm2SignerTests
{
    private static readonly byte[] Message = Encoding.UTF8.GetBytes("{\"licence\":\"浙A-2025-000001\",\"holder\":\"张三\"}");

    [Fact]
    public void Sign_then_verify_round_trips()
    {
        Sm2KeyPair key = Sm2KeyPair.Generate();
        byte[] signature = Sm2Signer.Sign(key, Message);

        Assert.True(Sm2Signer.Verify(key, Message, signature));
        Assert.True(Sm2Signer.Verify(key.PublicKey, Message, signature));
        Assert.True(Sm2Signer.VerifyWithSubjectPublicKeyInfo(key.ExportSubjectPublicKeyInfo(), Message, signature));
    }

    [Fact]
    public void Signature_is_der_sequence_of_two_integers()
    {
        Sm2KeyPair key = Sm2KeyPair.Generate();
        byte[] signature = Sm2Signer.Sign(key, Message);

        var reader = new System.Formats.Asn1.AsnReader(signature, System.Formats.Asn1.AsnEncodingRules.DER);
        var sequence = reader.ReadSequence();
        var r = sequence.ReadInteger();
        var s = sequence.ReadInteger();
        Assert.False(sequence.HasData);
        Assert.False(reader.HasData);
        Assert.True(r.Sign > 0);
        Assert.True(s.Sign > 0);
    }

    [Fact]
    public void Signatures_are_randomised_and_both_verify()
    {
        Sm2KeyPair key = Sm2KeyPair.Generate();
        byte[] a = Sm2Signer.Sign(key, Message);
        byte[] b = Sm2Signer.Sign(key, Message);

        Assert.NotEqual(a, b);
        Assert.True(Sm2Signer.Verify(key, Message, a));
        Assert.True(Sm2Signer.Verify(key, Message, b));
    }

    [Fact]
    public void Empty_message_signs_and_verifies()
    {
        Sm2KeyPair key = Sm2KeyPair.Generate();
        byte[] signature = Sm2Signer.Sign(key, ReadOnlySpan<byte>.Empty);
        Assert.True(Sm2Signer.Verify(key, ReadOnlySpan<byte>.Empty, signature));
        Assert.False(Sm2Signer.Verify(key, new byte[1], signature));
    }

    [Fact]
    public void Flipping_any_single_byte_of_the_message_fails_verification()
    {
        Sm2KeyPair key = Sm2KeyPair.Generate();
        byte[] signature = Sm2Signer.Sign(key, Message);

        for (int i = 0; i < Message.Length; i++)
        {
            foreach (byte mask in new byte[] { 0x01, 0x80, 0xFF })
            {
                byte[] tampered = (byte[])Message.Clone();
                tampered[i] ^= mask;
                Assert.False(Sm2Signer.Verify(key, tampered, signature), $"message byte {i} ^ 0x{mask:x2} still verified");
            }
        }

        Assert.False(Sm2Signer.Verify(key, Message.AsSpan(0, Message.Length - 1), signature));
        Assert.False(Sm2Signer.Verify(key, [.. Message, 0], signature));
    }

    [Fact]
    public void Flipping_any_single_byte_of_the_signature_fails_verification()
    {
        Sm2KeyPair key = Sm2KeyPair.Generate();
        byte[] signature = Sm2Signer.Sign(key, Message);

        for (int i = 0; i < signature.Length; i++)
        {
            foreach (byte mask in new byte[] { 0x01, 0x80, 0xFF })
            {
                byte[] tampered = (byte[])signature.Clone();
                tampered[i] ^= mask;
                Assert.False(Sm2Signer.Verify(key, Message, tampered), $"signature byte {i} ^ 0x{mask:x2} still verified");
            }
        }

        Assert.False(Sm2Signer.Verify(key, Message, signature.AsSpan(0, signature.Length - 1)));
        Assert.False(Sm2Signer.Verify(key, Message, [.. signature, 0]));
        Assert.False(Sm2Signer.Verify(key, Message, ReadOnlySpan<byte>.Empty));
    }

    [Fact]
    public void Another_key_does_not_verify()
    {
        byte[] signature = Sm2Signer.Sign(Sm2KeyPair.Generate(), Message);
        Assert.False(Sm2Signer.Verify(Sm2KeyPair.Generate(), Message, signature));
    }

    [Fact]
    public void Default_user_id_is_the_gmt_0009_value()
    {
        Assert.Equal("1234567812345678", Encoding.ASCII.GetString(Sm2Signer.DefaultUserId));
    }

    [Fact]
    public void Pkcs8_export_import_round_trips()
    {
        Sm2KeyPair key = Sm2KeyPair.Generate();
        byte[] pkcs8 = key.ExportPkcs8();

        Sm2KeyPair imported = Sm2KeyPair.ImportPkcs8(pkcs8);

        Assert.Equal(key.PrivateKey.D, imported.PrivateKey.D);
        Assert.Equal(key.PublicKey.Q, imported.PublicKey.Q);
        Assert.Equal(key.ExportSubjectPublicKeyInfo(), imported.ExportSubjectPublicKeyInfo());
        Assert.Equal(pkcs8, imported.ExportPkcs8());
        Assert.True(Sm2Signer.Verify(key, Message, Sm2Signer.Sign(imported, Message)));
    }

    [Fact]
    public void Spki_export_names_the_sm2_curve_and_imports_back()
    {
        Sm2KeyPair key = Sm2KeyPair.Generate();
        byte[] spki = key.ExportSubjectPublicKeyInfo();

        // SEQUENCE { SEQUENCE { id-ecPublicKey, sm2p256v1 }, BIT STRING }
        var reader = new System.Formats.Asn1.AsnReader(spki, System.Formats.Asn1.AsnEncodingRules.DER).ReadSequence();
        var algorithm = reader.ReadSequence();
        Assert.Equal("1.2.840.10045.2.1", algorithm.ReadObjectIdentifier());
        Assert.Equal("1.2.156.10197.1.301", algorithm.ReadObjectIdentifier());

        var imported = Sm2Keys.ImportSubjectPublicKeyInfo(spki);
        Assert.Equal(key.PublicKey.Q, imported.Q);
    }

    [Fact]
    public void Pkcs8_private_key_info_names_the_sm2_curve()
    {
        byte[] pkcs8 = Sm2KeyPair.Generate().ExportPkcs8();

        // SEQUENCE { INTEGER 0, SEQUENCE { id-ecPublicKey, sm2p256v1 }, OCTET STRING ECPrivateKey }
        var reader = new System.Formats.Asn1.AsnReader(pkcs8, System.Formats.Asn1.AsnEncodingRules.DER).ReadSequence();
        Assert.Equal(0, (int)reader.ReadInteger());
        var algorithm = reader.ReadSequence();
        Assert.Equal("1.2.840.10045.2.1", algorithm.ReadObjectIdentifier());
        Assert.Equal("1.2.156.10197.1.301", algorithm.ReadObjectIdentifier());
    }

    [Fact]
    public void Import_rejects_non_sm2_keys_and_garbage()
    {
        using var p256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        Assert.Throws<ArgumentException>(() => Sm2KeyPair.ImportPkcs8(p256.ExportPkcs8PrivateKey()));
        Assert.Throws<ArgumentException>(() => Sm2Keys.ImportSubjectPublicKeyInfo(p256.ExportSubjectPublicKeyInfo()));
        Assert.Throws<ArgumentException>(() => Sm2KeyPair.ImportPkcs8(new byte[] { 0x30, 0x03, 0x02, 0x01, 0x00 }));
        Assert.Throws<ArgumentException>(() => Sm2KeyPair.ImportPkcs8(ReadOnlySpan<byte>.Empty));
        Assert.Throws<ArgumentException>(() => Sm2Keys.ImportSubjectPublicKeyInfo(new byte[] { 1, 2, 3 }));
    }

    [Fact]
    public void ToString_shows_no_private_key_material()
    {
        Sm2KeyPair key = Sm2KeyPair.Generate();
        string text = key.ToString();

        Assert.StartsWith("Sm2KeyPair(", text, StringComparison.Ordinal);
        Assert.DoesNotContain(key.PrivateKey.D.ToString(16), text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Convert.ToHexString(key.PrivateKey.D.ToByteArrayUnsigned()), text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Convert.ToBase64String(key.ExportPkcs8()), text, StringComparison.Ordinal);
    }
}
