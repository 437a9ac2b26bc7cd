using System.Security.Cryptography;
using OrleansLicenses.Signing;
using Xunit;

namespace OrleansLicenses.Tests.Signing;

public sealed class KeyProtectorTests
{
    private const string Label = SigningTestData.UnitCreditCode;

    [Fact]
    public void Protect_then_unprotect_round_trips_a_private_key()
    {
        Sm2KeyPair key = Sm2KeyPair.Generate();
        byte[] pkcs8 = key.ExportPkcs8();
        using var protector = new KeyProtector(RandomNumberGenerator.GetBytes(32));

        byte[] blob = protector.Protect(pkcs8, Label);
        byte[] back = protector.Unprotect(blob, Label);

        Assert.Equal(pkcs8, back);
        Assert.Equal(key.PublicKey.Q, Sm2KeyPair.ImportPkcs8(back).PublicKey.Q);
    }

    [Fact]
    public void Blob_layout_is_version_nonce_ciphertext_tag()
    {
        using var protector = new KeyProtector(RandomNumberGenerator.GetBytes(32));
        byte[] plaintext = RandomNumberGenerator.GetBytes(100);

        byte[] blob = protector.Protect(plaintext, Label);

        Assert.Equal(1 + 12 + plaintext.Length + 16, blob.Length);
        Assert.Equal(KeyProtector.FormatVersion, blob[0]);
        Assert.Equal(1, blob[0]);
        Assert.False(blob.AsSpan(13, plaintext.Length).SequenceEqual(plaintext));
    }

    [Fact]
    public void Blob_is_standard_aes_256_gcm_with_the_label_as_associated_data()
    {
        byte[] kek = RandomNumberGenerator.GetBytes(32);
        using var protector = new KeyProtector(kek);
        byte[] plaintext = RandomNumberGenerator.GetBytes(40);
        byte[] blob = protector.Protect(plaintext, Label);

        // Decrypt independently with the BCL primitive.
        byte[] decrypted = new byte[plaintext.Length];
        using var aes = new AesGcm(kek, 16);
        aes.Decrypt(blob.AsSpan(1, 12), blob.AsSpan(13, plaintext.Length), blob.AsSpan(13 + plaintext.Length), decrypted, System.Text.Encoding.UTF8.GetBytes(Label));
        Assert.Equal(plaintext, decrypted);
    }

    [Fact]
    public void Nonces_are_fresh_for_every_blob()
    {
        using var protector = new KeyProtector(RandomNumberGenerator.GetBytes(32));
        byte[] a = protector.Protect(new byte[16], Label);
        byte[] b = protector.Protect(new byte[16], Label);

        Assert.False(a.AsSpan(1, 12).SequenceEqual(b.AsSpan(1, 12)));
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void Empty_plaintext_round_trips()
    {
        using var protector = new KeyProtector(RandomNumberGenerator.GetBytes(32));
        byte[] blob = protector.Protect([], Label);
        Assert.Equal(29, blob.Length);
        Assert.Empty(protector.Unprotect(blob, Label));
    }

    [Fact]
    public void Wrong_key_fails_with_a_clear_cryptographic_exception()
    {
        byte[] blob;
        using (var protector = new KeyProtector(RandomNumberGenerator.GetBytes(32)))
        {
            blob = protector.Protect(Sm2KeyPair.Generate().ExportPkcs8(), Label);
        }

        using var other = new KeyProtector(RandomNumberGenerator.GetBytes(32));
        var ex = Assert.ThrowsAny<CryptographicException>(() => other.Unprotect(blob, Label));
        Assert.Contains("wrong key-encryption key, wrong label, or the blob was modified", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_label_fails_so_blobs_cannot_be_swapped_between_units()
    {
        using var protector = new KeyProtector(RandomNumberGenerator.GetBytes(32));
        byte[] blob = protector.Protect(Sm2KeyPair.Generate().ExportPkcs8(), "12330100MB0A12345X");

        Assert.ThrowsAny<CryptographicException>(() => protector.Unprotect(blob, "12330100MB0A12345Y"));
        Assert.ThrowsAny<CryptographicException>(() => protector.Unprotect(blob, "12330100MB0A12345x"));
        Assert.NotEmpty(protector.Unprotect(blob, "12330100MB0A12345X"));
    }

    [Fact]
    public void Every_tampered_byte_fails()
    {
        using var protector = new KeyProtector(RandomNumberGenerator.GetBytes(32));
        byte[] blob = protector.Protect(RandomNumberGenerator.GetBytes(48), Label);

        for (int i = 0; i < blob.Length; i++)
        {
            byte[] tampered = (byte[])blob.Clone();
            tampered[i] ^= 0x01;
            Assert.ThrowsAny<CryptographicException>(() => protector.Unprotect(tampered, Label));
        }
    }

    [Fact]
    public void Truncated_or_extended_blobs_fail()
    {
        using var protector = new KeyProtector(RandomNumberGenerator.GetBytes(32));
        byte[] blob = protector.Protect(RandomNumberGenerator.GetBytes(48), Label);

        Assert.ThrowsAny<CryptographicException>(() => protector.Unprotect(blob.AsSpan(0, blob.Length - 1), Label));
        Assert.ThrowsAny<CryptographicException>(() => protector.Unprotect([.. blob, 0], Label));
        Assert.ThrowsAny<CryptographicException>(() => protector.Unprotect(blob.AsSpan(0, 28), Label));
        Assert.ThrowsAny<CryptographicException>(() => protector.Unprotect([], Label));
    }

    [Fact]
    public void Unknown_version_is_rejected_with_a_clear_message()
    {
        using var protector = new KeyProtector(RandomNumberGenerator.GetBytes(32));
        byte[] blob = protector.Protect(RandomNumberGenerator.GetBytes(8), Label);
        blob[0] = 2;

        var ex = Assert.ThrowsAny<CryptographicException>(() => protector.Unprotect(blob, Label));
        Assert.Contains("version 2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Base64_key_constructor_matches_raw_key()
    {
        byte[] kek = RandomNumberGenerator.GetBytes(32);
        using var raw = new KeyProtector(kek);
        using var fromConfig = new KeyProtector(Convert.ToBase64String(kek));

        byte[] blob = raw.Protect([1, 2, 3], Label);
        Assert.Equal([1, 2, 3], fromConfig.Unprotect(blob, Label));

        using var generated = new KeyProtector(KeyProtector.GenerateKeyBase64());
        Assert.Equal([4, 5], generated.Unprotect(generated.Protect([4, 5], Label), Label));
    }

    [Fact]
    public void Bad_keys_are_rejected_without_echoing_them()
    {
        Assert.Throws<ArgumentException>(() => new KeyProtector(new byte[16]));
        Assert.Throws<ArgumentException>(() => new KeyProtector(new byte[33]));

        string shortKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
        var ex = Assert.Throws<ArgumentException>(() => new KeyProtector(shortKey));
        Assert.DoesNotContain(shortKey, ex.Message, StringComparison.Ordinal);

        const string notBase64 = "this is not base64 key material!!";
        var ex2 = Assert.Throws<ArgumentException>(() => new KeyProtector(notBase64));
        Assert.DoesNotContain(notBase64, ex2.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Labels_must_be_non_empty()
    {
        using var protector = new KeyProtector(RandomNumberGenerator.GetBytes(32));
        Assert.ThrowsAny<ArgumentException>(() => protector.Protect([1], ""));
        Assert.ThrowsAny<ArgumentException>(() => protector.Unprotect(new byte[40], null!));
    }

    [Fact]
    public void ToString_and_messages_never_show_the_key()
    {
        byte[] kek = RandomNumberGenerator.GetBytes(32);
        using var protector = new KeyProtector(kek);
        using var other = new KeyProtector(RandomNumberGenerator.GetBytes(32));
        byte[] blob = protector.Protect([9, 9, 9], Label);
        var ex = Assert.ThrowsAny<CryptographicException>(() => other.Unprotect(blob, Label));

        foreach (string text in new[] { protector.ToString(), ex.ToString() })
        {
            Assert.DoesNotContain(Convert.ToBase64String(kek), text, StringComparison.Ordinal);
            Assert.DoesNotContain(Convert.ToHexString(kek), text, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void Disposed_protector_refuses_to_work()
    {
        var protector = new KeyProtector(RandomNumberGenerator.GetBytes(32));
        protector.Dispose();
        Assert.Throws<ObjectDisposedException>(() => protector.Protect([1], Label));
    }
}
