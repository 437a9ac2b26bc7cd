using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using OrleansLicenses.Signing;
using Xunit;

namespace OrleansLicenses.Tests.Signing;

public sealed class CertificateAuthorityTests
{
    [Fact]
    public void Root_and_unit_certificate_chain_verifies()
    {
        CertificateAuthority ca = SigningTestData.NewAuthority();
        Sm2KeyPair unit = Sm2KeyPair.Generate();

        byte[] leaf = ca.IssueUnitCertificate(unit.PublicKey, SigningTestData.UnitName, SigningTestData.UnitCreditCode);

        Assert.Equal(CertificateChainStatus.Valid, CertificateAuthority.VerifyChain(leaf, ca.RootCertificateDer, SigningTestData.Inside));
    }

    [Fact]
    public void Root_certificate_has_the_required_profile()
    {
        CertificateAuthority ca = SigningTestData.NewAuthority();
        var cert = SigningTestData.LoadCertificate(ca.RootCertificateDer);

        Assert.Equal(3, cert.Version);
        Assert.Equal(CertificateAuthority.Sm2WithSm3Oid, cert.SignatureAlgorithm.Value);
        Assert.Equal(cert.SubjectName.RawData, cert.IssuerName.RawData);
        Assert.Equal($"CN={CertificateAuthority.DefaultRootCommonName}, O={SigningTestData.Organization}, C=CN", cert.Subject);
        Assert.Equal(SigningTestData.Start.UtcDateTime, cert.NotBefore.ToUniversalTime());
        Assert.Equal(SigningTestData.Start.UtcDateTime.AddYears(20), cert.NotAfter.ToUniversalTime());

        var basic = Assert.Single(cert.Extensions.OfType<X509BasicConstraintsExtension>());
        Assert.True(basic.Critical);
        Assert.True(basic.CertificateAuthority);

        var usage = Assert.Single(cert.Extensions.OfType<X509KeyUsageExtension>());
        Assert.True(usage.Critical);
        Assert.Equal(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign,
            usage.KeyUsages);

        var ski = Assert.Single(cert.Extensions.OfType<X509SubjectKeyIdentifierExtension>());
        var aki = Assert.Single(cert.Extensions.OfType<X509AuthorityKeyIdentifierExtension>());
        Assert.Equal(ski.SubjectKeyIdentifierBytes.ToArray(), aki.KeyIdentifier!.Value.ToArray());
    }

    [Fact]
    public void Unit_certificate_has_the_required_profile()
    {
        CertificateAuthority ca = SigningTestData.NewAuthority();
        Sm2KeyPair unit = Sm2KeyPair.Generate();
        byte[] leafDer = ca.IssueUnitCertificate(unit.PublicKey, SigningTestData.UnitName, SigningTestData.UnitCreditCode);

        var root = SigningTestData.LoadCertificate(ca.RootCertificateDer);
        var cert = SigningTestData.LoadCertificate(leafDer);

        Assert.Equal(3, cert.Version);
        Assert.Equal(CertificateAuthority.Sm2WithSm3Oid, cert.SignatureAlgorithm.Value);
        Assert.Equal(root.SubjectName.RawData, cert.IssuerName.RawData);
        Assert.Equal(SigningTestData.UnitName, cert.GetNameInfo(X509NameType.SimpleName, forIssuer: false));
        Assert.Contains($"SERIALNUMBER={SigningTestData.UnitCreditCode}", cert.Subject, StringComparison.Ordinal);
        Assert.Equal(SigningTestData.Start.UtcDateTime, cert.NotBefore.ToUniversalTime());
        Assert.Equal(SigningTestData.Start.UtcDateTime.AddYears(3), cert.NotAfter.ToUniversalTime());

        // The CN is a UTF8String holding the Chinese name byte-for-byte.
        Assert.True(ContainsSubsequence(cert.SubjectName.RawData, [0x0C, (byte)Encoding.UTF8.GetByteCount(SigningTestData.UnitName), .. Encoding.UTF8.GetBytes(SigningTestData.UnitName)]));

        // Serial: positive, at most 20 octets.
        byte[] serial = cert.GetSerialNumber(); // little-endian
        Assert.InRange(serial.Length, 1, 20);
        Assert.True(serial[^1] < 0x80);

        var basic = Assert.Single(cert.Extensions.OfType<X509BasicConstraintsExtension>());
        Assert.True(basic.Critical);
        Assert.False(basic.CertificateAuthority);

        var usage = Assert.Single(cert.Extensions.OfType<X509KeyUsageExtension>());
        Assert.True(usage.Critical);
        Assert.Equal(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation,
            usage.KeyUsages);

        var rootSki = Assert.Single(root.Extensions.OfType<X509SubjectKeyIdentifierExtension>());
        var aki = Assert.Single(cert.Extensions.OfType<X509AuthorityKeyIdentifierExtension>());
        Assert.Equal(rootSki.SubjectKeyIdentifierBytes.ToArray(), aki.KeyIdentifier!.Value.ToArray());
        Assert.Single(cert.Extensions.OfType<X509SubjectKeyIdentifierExtension>());

        // The certified key is the unit's key.
        Assert.Equal(unit.ExportSubjectPublicKeyInfo(), cert.PublicKey.ExportSubjectPublicKeyInfo());
    }

    [Fact]
    public void Unit_certificate_info_reads_name_code_and_key()
    {
        CertificateAuthority ca = SigningTestData.NewAuthority();
        Sm2KeyPair unit = Sm2KeyPair.Generate();
        byte[] leaf = ca.IssueUnitCertificate(unit.PublicKey, SigningTestData.UnitName, SigningTestData.UnitCreditCode);

        UnitCertificateInfo info = UnitCertificateInfo.Parse(leaf);

        Assert.Equal(SigningTestData.UnitName, info.UnitName);
        Assert.Equal(SigningTestData.UnitCreditCode, info.UnitCreditCode);
        Assert.Equal(SigningTestData.Start, info.NotBefore);
        Assert.Equal(SigningTestData.Start.AddYears(CertificateAuthority.DefaultUnitValidityYears), info.NotAfter);
        Assert.Equal(unit.PublicKey.Q, info.PublicKey.Q);
        Assert.Matches("^[0-9a-f]+$", info.SerialNumberHex);
    }

    [Fact]
    public void Serial_numbers_differ_between_certificates()
    {
        CertificateAuthority ca = SigningTestData.NewAuthority();
        Sm2KeyPair unit = Sm2KeyPair.Generate();

        var serials = Enumerable.Range(0, 5)
            .Select(_ => UnitCertificateInfo.Parse(ca.IssueUnitCertificate(unit.PublicKey, SigningTestData.UnitName, SigningTestData.UnitCreditCode)).SerialNumberHex)
            .ToHashSet();

        Assert.Equal(5, serials.Count);
    }

    [Fact]
    public void Explicit_not_before_is_used_and_validity_is_checked_at_the_given_instant()
    {
        CertificateAuthority ca = SigningTestData.NewAuthority();
        // Five years after the authority's frozen clock, at 08:30:15.999 China time.
        var year = SigningTestData.Start.Year + 5;
        var notBefore = new DateTimeOffset(year, 3, 1, 8, 30, 15, 999, TimeSpan.FromHours(8));
        byte[] leaf = ca.IssueUnitCertificate(Sm2KeyPair.Generate().PublicKey, SigningTestData.UnitName, SigningTestData.UnitCreditCode, notBefore, TimeSpan.FromDays(30));

        UnitCertificateInfo info = UnitCertificateInfo.Parse(leaf);
        Assert.Equal(new DateTimeOffset(year, 3, 1, 0, 30, 15, TimeSpan.Zero), info.NotBefore); // truncated to seconds, UTC
        Assert.Equal(info.NotBefore + TimeSpan.FromDays(30), info.NotAfter);

        byte[] root = ca.RootCertificateDer;
        Assert.Equal(CertificateChainStatus.Valid, CertificateAuthority.VerifyChain(leaf, root, info.NotBefore));
        Assert.Equal(CertificateChainStatus.Valid, CertificateAuthority.VerifyChain(leaf, root, info.NotAfter));
        Assert.Equal(CertificateChainStatus.LeafNotValidAtTime, CertificateAuthority.VerifyChain(leaf, root, info.NotBefore.AddSeconds(-1)));
        Assert.Equal(CertificateChainStatus.LeafNotValidAtTime, CertificateAuthority.VerifyChain(leaf, root, info.NotAfter.AddSeconds(1)));
    }

    [Fact]
    public void Unit_validity_is_capped_at_the_root_expiry()
    {
        var rootKey = Sm2KeyPair.Generate();
        byte[] rootDer = CertificateAuthority.CreateRootCertificate(rootKey, SigningTestData.Organization, SigningTestData.Start, TimeSpan.FromDays(365));
        var ca = new CertificateAuthority(rootDer, rootKey, new SigningClock(SigningTestData.Start.AddDays(300)));

        byte[] leaf = ca.IssueUnitCertificate(Sm2KeyPair.Generate().PublicKey, SigningTestData.UnitName, SigningTestData.UnitCreditCode);

        Assert.Equal(SigningTestData.Start.AddDays(365), UnitCertificateInfo.Parse(leaf).NotAfter);
        Assert.Equal(CertificateChainStatus.RootNotValidAtTime, CertificateAuthority.VerifyChain(leaf, rootDer, SigningTestData.Start.AddDays(366)));
    }

    [Fact]
    public void Leaf_signed_by_another_root_fails()
    {
        // Same subject name, different key: an impostor root.
        CertificateAuthority real = SigningTestData.NewAuthority();
        CertificateAuthority impostor = SigningTestData.NewAuthority();
        Assert.Equal(real.RootSubject, impostor.RootSubject);

        byte[] forged = impostor.IssueUnitCertificate(Sm2KeyPair.Generate().PublicKey, SigningTestData.UnitName, SigningTestData.UnitCreditCode);

        Assert.Equal(CertificateChainStatus.Valid, CertificateAuthority.VerifyChain(forged, impostor.RootCertificateDer, SigningTestData.Inside));
        Assert.NotEqual(CertificateChainStatus.Valid, CertificateAuthority.VerifyChain(forged, real.RootCertificateDer, SigningTestData.Inside));
    }

    [Fact]
    public void Leaf_signed_by_another_root_fails_on_the_signature_even_without_key_identifiers()
    {
        CertificateAuthority real = SigningTestData.NewAuthority();
        CertificateAuthority impostor = SigningTestData.NewAuthority();
        byte[] forged = impostor.IssueUnitCertificate(Sm2KeyPair.Generate().PublicKey, SigningTestData.UnitName, SigningTestData.UnitCreditCode);

        // Make the forged AKI claim the real root's key id (same length, SHA-1 ids): only the signature can tell now.
        byte[] impostorKeyId = SubjectKeyId(impostor.RootCertificateDer);
        byte[] realKeyId = SubjectKeyId(real.RootCertificateDer);
        byte[] patched = ReplaceOnce(forged, impostorKeyId, realKeyId);

        Assert.Equal(CertificateChainStatus.LeafSignatureInvalid, CertificateAuthority.VerifyChain(patched, real.RootCertificateDer, SigningTestData.Inside));
    }

    [Fact]
    public void Leaf_from_a_differently_named_root_is_an_issuer_mismatch()
    {
        CertificateAuthority real = SigningTestData.NewAuthority();
        CertificateAuthority other = SigningTestData.NewAuthority(organization: "另一个平台");
        byte[] leaf = other.IssueUnitCertificate(Sm2KeyPair.Generate().PublicKey, SigningTestData.UnitName, SigningTestData.UnitCreditCode);

        Assert.Equal(CertificateChainStatus.IssuerMismatch, CertificateAuthority.VerifyChain(leaf, real.RootCertificateDer, SigningTestData.Inside));
    }

    [Fact]
    public void Tampered_leaf_fails_signature_check()
    {
        CertificateAuthority ca = SigningTestData.NewAuthority();
        byte[] leaf = ca.IssueUnitCertificate(Sm2KeyPair.Generate().PublicKey, SigningTestData.UnitName, SigningTestData.UnitCreditCode);

        // Change one character of the credit code inside the TBS certificate (X -> Y, both PrintableString).
        byte[] tampered = ReplaceOnce(leaf, Encoding.ASCII.GetBytes(SigningTestData.UnitCreditCode), Encoding.ASCII.GetBytes("12330100MB0A12345Y"));

        Assert.Equal(CertificateChainStatus.LeafSignatureInvalid, CertificateAuthority.VerifyChain(tampered, ca.RootCertificateDer, SigningTestData.Inside));
    }

    [Fact]
    public void Root_self_signature_is_checked()
    {
        CertificateAuthority ca = SigningTestData.NewAuthority();
        byte[] leaf = ca.IssueUnitCertificate(Sm2KeyPair.Generate().PublicKey, SigningTestData.UnitName, SigningTestData.UnitCreditCode);
        byte[] root = ca.RootCertificateDer;

        // Flip the last byte of the root's serial number (inside the signed TBS, outside any name).
        byte[] serial = SigningTestData.LoadCertificate(root).GetSerialNumber(); // little-endian
        Array.Reverse(serial);
        byte[] otherSerial = (byte[])serial.Clone();
        otherSerial[^1] ^= 0x01;
        byte[] tamperedRoot = ReplaceOnce(root, serial, otherSerial);

        Assert.Equal(CertificateChainStatus.RootSignatureInvalid, CertificateAuthority.VerifyChain(leaf, tamperedRoot, SigningTestData.Inside));

        // Flip the last byte of the root's signature value.
        byte[] badSignature = (byte[])root.Clone();
        badSignature[^1] ^= 0x01;
        Assert.Equal(CertificateChainStatus.RootSignatureInvalid, CertificateAuthority.VerifyChain(leaf, badSignature, SigningTestData.Inside));
    }

    [Fact]
    public void Root_given_as_leaf_is_rejected_as_a_ca()
    {
        CertificateAuthority ca = SigningTestData.NewAuthority();
        byte[] root = ca.RootCertificateDer;
        Assert.Equal(CertificateChainStatus.LeafIsCertificateAuthority, CertificateAuthority.VerifyChain(root, root, SigningTestData.Inside));
    }

    [Fact]
    public void A_unit_certificate_cannot_act_as_root()
    {
        CertificateAuthority ca = SigningTestData.NewAuthority();
        byte[] leaf = ca.IssueUnitCertificate(Sm2KeyPair.Generate().PublicKey, SigningTestData.UnitName, SigningTestData.UnitCreditCode);
        Assert.Equal(CertificateChainStatus.RootNotSelfSigned, CertificateAuthority.VerifyChain(leaf, leaf, SigningTestData.Inside));
    }

    [Fact]
    public void Root_validity_is_checked()
    {
        CertificateAuthority ca = SigningTestData.NewAuthority();
        byte[] leaf = ca.IssueUnitCertificate(Sm2KeyPair.Generate().PublicKey, SigningTestData.UnitName, SigningTestData.UnitCreditCode);
        Assert.Equal(CertificateChainStatus.RootNotValidAtTime, CertificateAuthority.VerifyChain(leaf, ca.RootCertificateDer, SigningTestData.Start.AddSeconds(-1)));
    }

    [Fact]
    public void Malformed_input_is_reported_not_thrown()
    {
        CertificateAuthority ca = SigningTestData.NewAuthority();
        byte[] root = ca.RootCertificateDer;

        Assert.Equal(CertificateChainStatus.MalformedCertificate, CertificateAuthority.VerifyChain([], root, SigningTestData.Inside));
        Assert.Equal(CertificateChainStatus.MalformedCertificate, CertificateAuthority.VerifyChain([0x30, 0x00], root, SigningTestData.Inside));
        Assert.Equal(CertificateChainStatus.MalformedCertificate, CertificateAuthority.VerifyChain(root.AsSpan(0, root.Length - 3), root, SigningTestData.Inside));
        Assert.Equal(CertificateChainStatus.MalformedCertificate, CertificateAuthority.VerifyChain(root, "not a certificate"u8, SigningTestData.Inside));
    }

    [Fact]
    public void Every_single_byte_flip_of_the_leaf_is_rejected()
    {
        CertificateAuthority ca = SigningTestData.NewAuthority();
        byte[] leaf = ca.IssueUnitCertificate(Sm2KeyPair.Generate().PublicKey, SigningTestData.UnitName, SigningTestData.UnitCreditCode);
        byte[] root = ca.RootCertificateDer;

        for (int i = 0; i < leaf.Length; i++)
        {
            byte[] tampered = (byte[])leaf.Clone();
            tampered[i] ^= 0x01;
            Assert.NotEqual(CertificateChainStatus.Valid, CertificateAuthority.VerifyChain(tampered, root, SigningTestData.Inside));
        }
    }

    [Fact]
    public void Authority_rejects_a_key_that_does_not_match_the_root()
    {
        CertificateAuthority ca = SigningTestData.NewAuthority();
        Assert.Throws<ArgumentException>(() => new CertificateAuthority(ca.RootCertificateDer, Sm2KeyPair.Generate(), TimeProvider.System));
    }

    [Fact]
    public void Authority_reopened_from_stored_root_and_key_issues_verifiable_certificates()
    {
        var rootKey = Sm2KeyPair.Generate();
        CertificateAuthority original = SigningTestData.NewAuthority(rootKey);

        var reopened = new CertificateAuthority(original.RootCertificateDer, Sm2KeyPair.ImportPkcs8(rootKey.ExportPkcs8()), new SigningClock(SigningTestData.Inside));
        byte[] leaf = reopened.IssueUnitCertificate(Sm2KeyPair.Generate().PublicKey, SigningTestData.UnitName, SigningTestData.UnitCreditCode);

        Assert.Equal(SigningTestData.Inside, UnitCertificateInfo.Parse(leaf).NotBefore);
        Assert.Equal(CertificateChainStatus.Valid, CertificateAuthority.VerifyChain(leaf, original.RootCertificateDer, SigningTestData.Inside.AddDays(1)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("12330100MB0A12345")]
    [InlineData("12330100MB0A12345XX")]
    [InlineData("12330100mb0a12345x")]
    [InlineData("12330100MB0I12345X")]
    [InlineData("12330100MB0O12345X")]
    [InlineData("12330100MB0Z12345X")]
    [InlineData("12330100MB0S12345X")]
    [InlineData("12330100MB0V12345X")]
    public void Malformed_credit_codes_are_rejected(string code)
    {
        CertificateAuthority ca = SigningTestData.NewAuthority();
        Assert.False(CertificateAuthority.IsWellFormedCreditCode(code));
        Assert.Throws<ArgumentException>(() => ca.IssueUnitCertificate(Sm2KeyPair.Generate().PublicKey, SigningTestData.UnitName, code));
    }

    [Fact]
    public void Overlong_unit_names_and_non_positive_validity_are_rejected()
    {
        CertificateAuthority ca = SigningTestData.NewAuthority();
        var key = Sm2KeyPair.Generate().PublicKey;
        Assert.Throws<ArgumentException>(() => ca.IssueUnitCertificate(key, new string('局', 65), SigningTestData.UnitCreditCode));
        Assert.NotEmpty(ca.IssueUnitCertificate(key, new string('局', 64), SigningTestData.UnitCreditCode));
        Assert.Throws<ArgumentOutOfRangeException>(() => ca.IssueUnitCertificate(key, SigningTestData.UnitName, SigningTestData.UnitCreditCode, TimeSpan.Zero));
    }

    [Fact]
    public void Issuing_before_the_root_is_valid_is_rejected()
    {
        CertificateAuthority ca = SigningTestData.NewAuthority();
        Assert.Throws<ArgumentException>(() => ca.IssueUnitCertificate(
            Sm2KeyPair.Generate().PublicKey, SigningTestData.UnitName, SigningTestData.UnitCreditCode, SigningTestData.Start.AddDays(-1)));
    }

    private static byte[] SubjectKeyId(byte[] certificateDer)
    {
        var cert = SigningTestData.LoadCertificate(certificateDer);
        return cert.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single().SubjectKeyIdentifierBytes.ToArray();
    }

    private static byte[] ReplaceOnce(byte[] data, byte[] find, byte[] replacement)
    {
        Assert.Equal(find.Length, replacement.Length);
        int index = IndexOf(data, find);
        Assert.True(index >= 0, "pattern not found");
        Assert.True(IndexOf(data.AsSpan(index + 1).ToArray(), find) < 0, "pattern found twice");
        byte[] copy = (byte[])data.Clone();
        replacement.CopyTo(copy, index);
        return copy;
    }

    private static int IndexOf(byte[] data, byte[] pattern) => data.AsSpan().IndexOf(pattern);

    private static bool ContainsSubsequence(byte[] data, byte[] pattern) => IndexOf(data, pattern) >= 0;

    [Fact]
    public void Signature_algorithm_identifier_has_no_parameters()
    {
        CertificateAuthority ca = SigningTestData.NewAuthority();
        var certificate = new AsnReader(ca.RootCertificateDer, AsnEncodingRules.DER).ReadSequence();
        certificate.ReadEncodedValue(); // tbsCertificate
        var algorithm = certificate.ReadSequence();
        Assert.Equal("1.2.156.10197.1.501", algorithm.ReadObjectIdentifier());
        Assert.False(algorithm.HasData);
    }
}
