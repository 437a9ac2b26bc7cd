using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using OrleansLicenses.Signing;
using Xunit;

namespace OrleansLicenses.Tests.Signing;

/// <summary>
/// Independent verification with the OpenSSL 3 command-line tool: certificates and signatures made here must
/// verify there (and tampered ones must not), and OpenSSL's SM2 keys and signatures must work here.
/// These tests fail, never skip, when OpenSSL is missing.
/// </summary>
/// <remarks>
/// Findings on OpenSSL 3.0.x that shape the commands:
/// <list type="bullet">
/// <item>Plain <c>openssl verify</c> checks SM2-with-SM3 certificate signatures with an EMPTY SM2 id, so it rejects
/// GM/T 0009-conformant certificates (default id 1234567812345678) with "certificate signature failure"; the id must be
/// given: <c>openssl verify -vfyopt distid:1234567812345678 -CAfile root.pem leaf.pem</c>.</item>
/// <item><c>openssl verify</c> never checks a trust anchor's self-signature, and <c>-check_ss_sig</c> does not pass the
/// <c>-vfyopt</c> id to that check (openssl/openssl issue 32744), so it fails for every correctly made SM2 root. The
/// root's self-signature is checked by extracting tbsCertificate and signatureValue with <c>openssl asn1parse -strparse</c>
/// and verifying them with <c>openssl pkeyutl -verify -rawin -digest sm3 -pkeyopt distid:1234567812345678</c>.</item>
/// <item><c>openssl dgst -sm3 -sign/-verify</c> (and <c>x509 -req</c>, <c>req</c> signing) also default to the empty id
/// unless <c>-sigopt distid:1234567812345678</c> is given.</item>
/// <item><c>openssl genpkey -outform DER</c> writes SEC1 <c>ECPrivateKey</c>, not PKCS#8; <c>openssl pkcs8 -topk8 -nocrypt</c>
/// gives PKCS#8.</item>
/// </list>
/// </remarks>
public sealed class OpenSslInteropTests
{
    private static readonly byte[] Message = Encoding.UTF8.GetBytes($"{{\"licenceNo\":\"浙市监-2025-000001\",\"holder\":\"张三\",\"validUntil\":\"{TestCalendar.Iso(4 * 365)}\"}}");

    private static string AtTime(DateTimeOffset instant) => instant.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    [Fact]
    public void OpenSsl_verifies_the_unit_certificate_against_the_root()
    {
        using OpenSslTool openssl = OpenSslTool.Create();
        CertificateAuthority ca = SigningTestData.NewAuthority();
        Sm2KeyPair unit = Sm2KeyPair.Generate();
        byte[] leaf = ca.IssueUnitCertificate(unit.PublicKey, SigningTestData.UnitName, SigningTestData.UnitCreditCode);

        WriteCertificates(openssl, ca.RootCertificateDer, leaf);

        OpenSslResult result = openssl.Run("verify", "-vfyopt", OpenSslTool.DistId, "-x509_strict", "-attime", AtTime(SigningTestData.Inside), "-CAfile", "root.pem", "leaf.pem");
        Assert.True(result.ExitCode == 0, result.All);
        Assert.Equal("leaf.pem: OK", result.StandardOutput.Trim());

        // Purpose check too: a unit certificate is an end-entity signing certificate.
        OpenSslResult any = openssl.Run("verify", "-vfyopt", OpenSslTool.DistId, "-attime", AtTime(SigningTestData.Inside), "-purpose", "any", "-CAfile", "root.pem", "leaf.pem");
        Assert.True(any.ExitCode == 0, any.All);
    }

    [Fact]
    public void OpenSsl_verify_needs_the_sm2_id_and_rejects_a_wrong_one()
    {
        using OpenSslTool openssl = OpenSslTool.Create();
        CertificateAuthority ca = SigningTestData.NewAuthority();
        byte[] leaf = ca.IssueUnitCertificate(Sm2KeyPair.Generate().PublicKey, SigningTestData.UnitName, SigningTestData.UnitCreditCode);
        WriteCertificates(openssl, ca.RootCertificateDer, leaf);

        // Shows that -vfyopt really selects the id OpenSSL checks with: a wrong id fails. (Without -vfyopt, OpenSSL
        // 3.0 uses an empty id and fails too; that is OpenSSL's default, not asserted here, as it may change.)
        OpenSslResult wrongId = openssl.Run("verify", "-vfyopt", "distid:8765432187654321", "-attime", AtTime(SigningTestData.Inside), "-CAfile", "root.pem", "leaf.pem");
        Assert.NotEqual(0, wrongId.ExitCode);
        Assert.Contains("certificate signature failure", wrongId.All, StringComparison.Ordinal);

        OpenSslResult rightId = openssl.Run("verify", "-vfyopt", OpenSslTool.DistId, "-attime", AtTime(SigningTestData.Inside), "-CAfile", "root.pem", "leaf.pem");
        Assert.True(rightId.ExitCode == 0, rightId.All);
    }

    [Fact]
    public void OpenSsl_verifies_the_root_self_signature_with_sm2_and_the_default_id()
    {
        using OpenSslTool openssl = OpenSslTool.Create();
        CertificateAuthority ca = SigningTestData.NewAuthority();
        WriteCertificates(openssl, ca.RootCertificateDer, null);

        ExtractSignedParts(openssl, "root.der", "root-tbs.der", "root-sig.der");
        openssl.RunOk("x509", "-in", "root.pem", "-noout", "-pubkey", "-out", "root-pub.pem");

        OpenSslResult ok = openssl.Run(
            "pkeyutl", "-verify", "-rawin", "-digest", "sm3", "-pubin", "-inkey", "root-pub.pem",
            "-in", "root-tbs.der", "-sigfile", "root-sig.der", "-pkeyopt", OpenSslTool.DistId);
        Assert.True(ok.ExitCode == 0, ok.All);
        Assert.Contains("Signature Verified Successfully", ok.StandardOutput, StringComparison.Ordinal);

        // The same signature checked with openssl dgst.
        OpenSslResult dgst = openssl.Run("dgst", "-sm3", "-verify", "root-pub.pem", "-sigopt", OpenSslTool.DistId, "-signature", "root-sig.der", "root-tbs.der");
        Assert.True(dgst.ExitCode == 0, dgst.All);
        Assert.Contains("Verified OK", dgst.StandardOutput, StringComparison.Ordinal);

        // Negative controls: a tampered TBS and a different id must fail.
        byte[] tbs = File.ReadAllBytes(openssl.PathOf("root-tbs.der"));
        tbs[^1] ^= 0x01;
        openssl.Write("root-tbs-bad.der", tbs);
        OpenSslResult bad = openssl.Run(
            "pkeyutl", "-verify", "-rawin", "-digest", "sm3", "-pubin", "-inkey", "root-pub.pem",
            "-in", "root-tbs-bad.der", "-sigfile", "root-sig.der", "-pkeyopt", OpenSslTool.DistId);
        Assert.NotEqual(0, bad.ExitCode);

        OpenSslResult otherId = openssl.Run(
            "pkeyutl", "-verify", "-rawin", "-digest", "sm3", "-pubin", "-inkey", "root-pub.pem",
            "-in", "root-tbs.der", "-sigfile", "root-sig.der", "-pkeyopt", "distid:1234567812345679");
        Assert.NotEqual(0, otherId.ExitCode);
    }

    [Fact]
    public void OpenSsl_shows_the_required_certificate_profile()
    {
        using OpenSslTool openssl = OpenSslTool.Create();
        CertificateAuthority ca = SigningTestData.NewAuthority();
        byte[] leaf = ca.IssueUnitCertificate(Sm2KeyPair.Generate().PublicKey, SigningTestData.UnitName, SigningTestData.UnitCreditCode);
        WriteCertificates(openssl, ca.RootCertificateDer, leaf);

        string root = openssl.RunOk("x509", "-in", "root.pem", "-noout", "-text", "-nameopt", "utf8,sep_comma_plus_space").StandardOutput;
        Assert.Contains("Version: 3 (0x2)", root, StringComparison.Ordinal);
        Assert.Equal(2, Regex.Matches(root, "Signature Algorithm: SM2-with-SM3").Count);
        Assert.Contains("ASN1 OID: SM2", root, StringComparison.Ordinal);
        Assert.Contains($"Subject: C=CN, O={SigningTestData.Organization}, CN=OrleansLicenses Platform Root CA", root, StringComparison.Ordinal);
        Assert.Contains($"Issuer: C=CN, O={SigningTestData.Organization}, CN=OrleansLicenses Platform Root CA", root, StringComparison.Ordinal);
        Assert.Contains("X509v3 Basic Constraints: critical\n                CA:TRUE", root, StringComparison.Ordinal);
        Assert.Contains("X509v3 Key Usage: critical\n                Certificate Sign, CRL Sign", root, StringComparison.Ordinal);
        Assert.Contains("X509v3 Subject Key Identifier", root, StringComparison.Ordinal);
        Assert.Contains("Not Before: Jan  1 00:00:00 2025 GMT", root, StringComparison.Ordinal);
        Assert.Contains("Not After : Jan  1 00:00:00 2045 GMT", root, StringComparison.Ordinal);

        string unit = openssl.RunOk("x509", "-in", "leaf.pem", "-noout", "-text", "-nameopt", "utf8,sep_comma_plus_space").StandardOutput;
        Assert.Equal(2, Regex.Matches(unit, "Signature Algorithm: SM2-with-SM3").Count);
        Assert.Contains($"Subject: C=CN, CN={SigningTestData.UnitName}, serialNumber={SigningTestData.UnitCreditCode}", unit, StringComparison.Ordinal);
        Assert.Contains("X509v3 Basic Constraints: critical\n                CA:FALSE", unit, StringComparison.Ordinal);
        Assert.Contains("X509v3 Key Usage: critical\n                Digital Signature, Non Repudiation", unit, StringComparison.Ordinal);
        Assert.Contains("X509v3 Authority Key Identifier", unit, StringComparison.Ordinal);
        Assert.Contains("Not Before: Jan  1 00:00:00 2025 GMT", unit, StringComparison.Ordinal);
        Assert.Contains("Not After : Jan  1 00:00:00 2028 GMT", unit, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenSsl_rejects_a_unit_certificate_from_another_root()
    {
        using OpenSslTool openssl = OpenSslTool.Create();
        CertificateAuthority real = SigningTestData.NewAuthority();
        CertificateAuthority impostor = SigningTestData.NewAuthority();
        byte[] forged = impostor.IssueUnitCertificate(Sm2KeyPair.Generate().PublicKey, SigningTestData.UnitName, SigningTestData.UnitCreditCode);
        WriteCertificates(openssl, real.RootCertificateDer, forged);

        OpenSslResult result = openssl.Run("verify", "-vfyopt", OpenSslTool.DistId, "-attime", AtTime(SigningTestData.Inside), "-CAfile", "root.pem", "leaf.pem");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("error", result.All, StringComparison.OrdinalIgnoreCase);

        // Control: the same forged certificate does verify against the root that actually signed it.
        File.WriteAllBytes(openssl.PathOf("impostor.der"), impostor.RootCertificateDer);
        openssl.RunOk("x509", "-inform", "DER", "-in", "impostor.der", "-out", "impostor.pem");
        Assert.Equal(0, openssl.Run("verify", "-vfyopt", OpenSslTool.DistId, "-attime", AtTime(SigningTestData.Inside), "-CAfile", "impostor.pem", "leaf.pem").ExitCode);
    }

    [Fact]
    public void OpenSsl_rejects_a_tampered_unit_certificate()
    {
        using OpenSslTool openssl = OpenSslTool.Create();
        CertificateAuthority ca = SigningTestData.NewAuthority();
        byte[] leaf = ca.IssueUnitCertificate(Sm2KeyPair.Generate().PublicKey, SigningTestData.UnitName, SigningTestData.UnitCreditCode);
        byte[] codeBytes = Encoding.ASCII.GetBytes(SigningTestData.UnitCreditCode);
        int index = leaf.AsSpan().IndexOf(codeBytes);
        Assert.True(index > 0);
        leaf[index + codeBytes.Length - 1] = (byte)'Y';
        WriteCertificates(openssl, ca.RootCertificateDer, leaf);

        OpenSslResult result = openssl.Run("verify", "-vfyopt", OpenSslTool.DistId, "-attime", AtTime(SigningTestData.Inside), "-CAfile", "root.pem", "leaf.pem");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("certificate signature failure", result.All, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenSsl_checks_validity_at_the_given_time()
    {
        using OpenSslTool openssl = OpenSslTool.Create();
        CertificateAuthority ca = SigningTestData.NewAuthority();
        byte[] leaf = ca.IssueUnitCertificate(Sm2KeyPair.Generate().PublicKey, SigningTestData.UnitName, SigningTestData.UnitCreditCode);
        WriteCertificates(openssl, ca.RootCertificateDer, leaf);

        DateTimeOffset expired = SigningTestData.Start.AddYears(CertificateAuthority.DefaultUnitValidityYears) + TimeSpan.FromDays(1);
        OpenSslResult late = openssl.Run("verify", "-vfyopt", OpenSslTool.DistId, "-attime", AtTime(expired), "-CAfile", "root.pem", "leaf.pem");
        Assert.NotEqual(0, late.ExitCode);
        Assert.Contains("certificate has expired", late.All, StringComparison.Ordinal);

        OpenSslResult early = openssl.Run("verify", "-vfyopt", OpenSslTool.DistId, "-attime", AtTime(SigningTestData.Start.AddDays(-1)), "-CAfile", "root.pem", "leaf.pem");
        Assert.NotEqual(0, early.ExitCode);
        Assert.Contains("not yet valid", early.All, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenSsl_verifies_a_signature_made_here_and_rejects_a_tampered_message()
    {
        using OpenSslTool openssl = OpenSslTool.Create();
        CertificateAuthority ca = SigningTestData.NewAuthority();
        Sm2KeyPair unit = Sm2KeyPair.Generate();
        byte[] leaf = ca.IssueUnitCertificate(unit.PublicKey, SigningTestData.UnitName, SigningTestData.UnitCreditCode);
        WriteCertificates(openssl, ca.RootCertificateDer, leaf);

        byte[] canonical = JsonCanonicalizer.Canonicalize(Message);
        openssl.Write("msg.json", canonical);
        openssl.Write("msg.sig", Sm2Signer.Sign(unit, canonical));
        byte[] tampered = (byte[])canonical.Clone();
        tampered[^2] ^= 0x01;
        openssl.Write("msg-tampered.json", tampered);

        // The verifying key comes out of the unit certificate, as a relying party would take it.
        openssl.RunOk("x509", "-in", "leaf.pem", "-noout", "-pubkey", "-out", "unit-pub.pem");

        OpenSslResult dgst = openssl.Run("dgst", "-sm3", "-verify", "unit-pub.pem", "-sigopt", OpenSslTool.DistId, "-signature", "msg.sig", "msg.json");
        Assert.True(dgst.ExitCode == 0, dgst.All);
        Assert.Equal("Verified OK", dgst.StandardOutput.Trim());

        OpenSslResult pkeyutl = openssl.Run(
            "pkeyutl", "-verify", "-rawin", "-digest", "sm3", "-pubin", "-inkey", "unit-pub.pem",
            "-in", "msg.json", "-sigfile", "msg.sig", "-pkeyopt", OpenSslTool.DistId);
        Assert.True(pkeyutl.ExitCode == 0, pkeyutl.All);
        Assert.Contains("Signature Verified Successfully", pkeyutl.StandardOutput, StringComparison.Ordinal);

        OpenSslResult bad = openssl.Run("dgst", "-sm3", "-verify", "unit-pub.pem", "-sigopt", OpenSslTool.DistId, "-signature", "msg.sig", "msg-tampered.json");
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("Verification failure", bad.All, StringComparison.Ordinal);

        OpenSslResult badPkeyutl = openssl.Run(
            "pkeyutl", "-verify", "-rawin", "-digest", "sm3", "-pubin", "-inkey", "unit-pub.pem",
            "-in", "msg-tampered.json", "-sigfile", "msg.sig", "-pkeyopt", OpenSslTool.DistId);
        Assert.NotEqual(0, badPkeyutl.ExitCode);

        // The SM2 id is part of what is signed: without it (OpenSSL's dgst default is an empty id) verification fails.
        OpenSslResult noId = openssl.Run("dgst", "-sm3", "-verify", "unit-pub.pem", "-signature", "msg.sig", "msg.json");
        Assert.NotEqual(0, noId.ExitCode);
    }

    [Fact]
    public void Exported_keys_are_readable_by_openssl_and_its_signatures_verify_here()
    {
        using OpenSslTool openssl = OpenSslTool.Create();
        Sm2KeyPair unit = Sm2KeyPair.Generate();
        openssl.Write("key.der", unit.ExportPkcs8());
        openssl.Write("pub.der", unit.ExportSubjectPublicKeyInfo());
        openssl.Write("msg.bin", Message);

        openssl.RunOk("pkey", "-inform", "DER", "-in", "key.der", "-out", "key.pem");
        openssl.RunOk("pkey", "-pubin", "-inform", "DER", "-in", "pub.der", "-out", "pub.pem");

        // OpenSSL derives the same public key from our PKCS#8 private key.
        openssl.RunOk("pkey", "-in", "key.pem", "-pubout", "-outform", "DER", "-out", "derived-pub.der");
        Assert.Equal(unit.ExportSubjectPublicKeyInfo(), File.ReadAllBytes(openssl.PathOf("derived-pub.der")));

        openssl.RunOk("dgst", "-sm3", "-sign", "key.pem", "-sigopt", OpenSslTool.DistId, "-out", "openssl.sig", "msg.bin");
        byte[] signature = File.ReadAllBytes(openssl.PathOf("openssl.sig"));

        Assert.True(Sm2Signer.Verify(unit, Message, signature));
        Assert.False(Sm2Signer.Verify(unit, Message.AsSpan(1), signature));
    }

    [Fact]
    public void Openssl_generated_sm2_keys_import_and_sign_verifiably()
    {
        using OpenSslTool openssl = OpenSslTool.Create();
        openssl.RunOk("genpkey", "-algorithm", "SM2", "-out", "ossl-key.pem");
        openssl.RunOk("pkcs8", "-topk8", "-nocrypt", "-in", "ossl-key.pem", "-outform", "DER", "-out", "ossl-key.der");
        openssl.RunOk("pkey", "-in", "ossl-key.pem", "-pubout", "-out", "ossl-pub.pem");

        Sm2KeyPair imported = Sm2KeyPair.ImportPkcs8(File.ReadAllBytes(openssl.PathOf("ossl-key.der")));
        openssl.Write("msg.bin", Message);
        openssl.Write("msg.sig", Sm2Signer.Sign(imported, Message));

        OpenSslResult result = openssl.Run("dgst", "-sm3", "-verify", "ossl-pub.pem", "-sigopt", OpenSslTool.DistId, "-signature", "msg.sig", "msg.bin");
        Assert.True(result.ExitCode == 0, result.All);
        Assert.Equal("Verified OK", result.StandardOutput.Trim());
    }

    private static void WriteCertificates(OpenSslTool openssl, byte[] rootDer, byte[]? leafDer)
    {
        openssl.Write("root.der", rootDer);
        openssl.RunOk("x509", "-inform", "DER", "-in", "root.der", "-out", "root.pem");
        if (leafDer is not null)
        {
            openssl.Write("leaf.der", leafDer);
            openssl.RunOk("x509", "-inform", "DER", "-in", "leaf.der", "-out", "leaf.pem");
        }
    }

    /// <summary>
    /// Splits a DER certificate into tbsCertificate and the signature (DER SEQUENCE r, s) with openssl asn1parse.
    /// </summary>
    private static void ExtractSignedParts(OpenSslTool openssl, string certificate, string tbsOut, string signatureOut)
    {
        string listing = openssl.RunOk("asn1parse", "-inform", "DER", "-in", certificate).StandardOutput;

        // Top-level children of the Certificate SEQUENCE are at depth 1: tbsCertificate, signatureAlgorithm, signatureValue.
        var children = Regex.Matches(listing, @"^\s*(\d+):d=1\s.*?(SEQUENCE|BIT STRING)", RegexOptions.Multiline)
            .Select(m => (Offset: m.Groups[1].Value, Kind: m.Groups[2].Value))
            .ToList();
        Assert.True(children.Count == 3, "unexpected certificate structure:\n" + listing);
        Assert.Equal("SEQUENCE", children[0].Kind);
        Assert.Equal("BIT STRING", children[2].Kind);

        openssl.RunOk("asn1parse", "-inform", "DER", "-in", certificate, "-strparse", children[0].Offset, "-noout", "-out", tbsOut);
        openssl.RunOk("asn1parse", "-inform", "DER", "-in", certificate, "-strparse", children[2].Offset, "-noout", "-out", signatureOut);
    }
}
