using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.GM;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;
using Org.BouncyCastle.X509.Extension;
using BcBigInteger = Org.BouncyCastle.Math.BigInteger;
using BcX509Certificate = Org.BouncyCastle.X509.X509Certificate;

namespace OrleansLicenses.Signing;

/// <summary>
/// The platform's certificate authority: a self-signed SM2 root (signature algorithm SM2-with-SM3,
/// OID 1.2.156.10197.1.501) that issues one signing certificate per issuing unit (发证单位).
/// Certificates are handled as DER bytes.
/// </summary>
/// <remarks>
/// Certificate signatures use the GM/T 0009 default SM2 user id <c>1234567812345678</c>. OpenSSL 3.0 must be told
/// that id (<c>openssl verify -vfyopt distid:1234567812345678 -CAfile root.pem unit.pem</c>): its default is an empty id.
/// No method reads the wall clock directly: times come from the <see cref="TimeProvider"/> given to the
/// constructor, or from an explicit parameter.
/// </remarks>
public sealed class CertificateAuthority
{
    /// <summary>Default common name of the platform root.</summary>
    public const string DefaultRootCommonName = "OrleansLicenses Platform Root CA";

    /// <summary>OID of SM2-with-SM3 signatures: 1.2.156.10197.1.501.</summary>
    public const string Sm2WithSm3Oid = "1.2.156.10197.1.501";

    /// <summary>Default validity of the root certificate, in calendar years: 20.</summary>
    public const int DefaultRootValidityYears = 20;

    /// <summary>Default validity of a unit signing certificate, in calendar years: 3.</summary>
    public const int DefaultUnitValidityYears = 3;

    private const string SignatureAlgorithmName = "SM3WITHSM2";

    // Code characters of the 统一社会信用代码 (GB 32100-2015): digits and upper-case letters without I, O, Z, S, V.
    private const string CreditCodeAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";

    private readonly byte[] _rootCertificateDer;
    private readonly BcX509Certificate _root;
    private readonly Sm2KeyPair _rootKey;
    private readonly TimeProvider _timeProvider;

    /// <summary>
    /// Opens an authority from its root certificate and root key pair (for example loaded from storage
    /// and decrypted with <see cref="KeyProtector"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The certificate is not parseable, or its public key does not match <paramref name="rootKey"/>.</exception>
    public CertificateAuthority(ReadOnlySpan<byte> rootCertificateDer, Sm2KeyPair rootKey, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(rootKey);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _rootCertificateDer = rootCertificateDer.ToArray();
        _root = ParseCertificate(_rootCertificateDer) ?? throw new ArgumentException("The root certificate is not a valid DER X.509 certificate.", nameof(rootCertificateDer));
        ECPublicKeyParameters certKey;
        try
        {
            certKey = Sm2Keys.ToSm2PublicKey(_root.GetPublicKey(), nameof(rootCertificateDer));
        }
        catch (Exception ex) when (ex is not ArgumentException)
        {
            throw new ArgumentException("The root certificate does not carry an SM2 public key.", nameof(rootCertificateDer), ex);
        }

        if (!certKey.Q.Equals(rootKey.PublicKey.Q))
        {
            throw new ArgumentException("The root key pair does not match the root certificate's public key.", nameof(rootKey));
        }

        _rootKey = rootKey;
        _timeProvider = timeProvider;
    }

    /// <summary>The root certificate, DER (a fresh copy on every call).</summary>
    public byte[] RootCertificateDer => (byte[])_rootCertificateDer.Clone();

    /// <summary>The root's subject DN as text (RFC 2253-like, BouncyCastle rendering).</summary>
    public string RootSubject => _root.SubjectDN.ToString();

    /// <summary>
    /// Creates a self-signed root certificate: X.509 v3, subject <c>C=CN, O=<paramref name="organization"/>, CN=<paramref name="commonName"/></c> (DER order),
    /// basicConstraints CA:true (critical), keyUsage keyCertSign + cRLSign (critical), subject and authority key identifiers,
    /// signed SM2-with-SM3, valid from <paramref name="notBefore"/> (truncated to whole seconds) for <paramref name="validity"/>
    /// (default <see cref="DefaultRootValidityYears"/> calendar years).
    /// </summary>
    public static byte[] CreateRootCertificate(
        Sm2KeyPair rootKey,
        string organization,
        DateTimeOffset notBefore,
        TimeSpan? validity = null,
        string commonName = DefaultRootCommonName)
    {
        ArgumentNullException.ThrowIfNull(rootKey);
        ArgumentException.ThrowIfNullOrWhiteSpace(organization);
        ArgumentException.ThrowIfNullOrWhiteSpace(commonName);

        var subject = new X509Name(
            new List<DerObjectIdentifier> { X509Name.C, X509Name.O, X509Name.CN },
            new List<string> { "CN", organization, commonName });

        SubjectPublicKeyInfo spki = SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(rootKey.PublicKey);
        byte[] keyId = X509ExtensionUtilities.CreateSubjectKeyIdentifier(spki).GetKeyIdentifier();

        var generator = new X509V3CertificateGenerator();
        generator.SetSerialNumber(NewSerialNumber());
        generator.SetIssuerDN(subject);
        generator.SetSubjectDN(subject);
        SetValidity(generator, notBefore, validity ?? (notBefore.AddYears(DefaultRootValidityYears) - notBefore));
        generator.SetPublicKey(rootKey.PublicKey);
        generator.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(true));
        generator.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(KeyUsage.KeyCertSign | KeyUsage.CrlSign));
        generator.AddExtension(X509Extensions.SubjectKeyIdentifier, false, new SubjectKeyIdentifier(keyId));
        generator.AddExtension(X509Extensions.AuthorityKeyIdentifier, false, new AuthorityKeyIdentifier(keyId));

        return generator.Generate(SignatureFactory(rootKey.PrivateKey)).GetEncoded();
    }

    /// <summary>
    /// Creates a root certificate valid from the current time of <paramref name="timeProvider"/>
    /// and returns an authority around it.
    /// </summary>
    public static CertificateAuthority CreateRoot(
        Sm2KeyPair rootKey,
        string organization,
        TimeProvider timeProvider,
        TimeSpan? validity = null,
        string commonName = DefaultRootCommonName)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        byte[] der = CreateRootCertificate(rootKey, organization, timeProvider.GetUtcNow(), validity, commonName);
        return new CertificateAuthority(der, rootKey, timeProvider);
    }

    /// <summary>
    /// Issues a unit signing certificate valid from the time provider's current time for
    /// <see cref="DefaultUnitValidityYears"/> calendar years (or <paramref name="validity"/>).
    /// </summary>
    public byte[] IssueUnitCertificate(ECPublicKeyParameters unitPublicKey, string unitName, string unitCreditCode, TimeSpan? validity = null) =>
        IssueUnitCertificate(unitPublicKey, unitName, unitCreditCode, _timeProvider.GetUtcNow(), validity);

    /// <summary>
    /// Issues a unit signing certificate: subject <c>C=CN, CN=<paramref name="unitName"/>, SERIALNUMBER=<paramref name="unitCreditCode"/></c> (DER order)
    /// (CN as UTF8String, so Chinese names work), basicConstraints CA:false (critical), keyUsage digitalSignature +
    /// nonRepudiation (critical), subject key identifier, authority key identifier = the root's key identifier,
    /// a random positive 127-bit serial, signed SM2-with-SM3 by the root.
    /// </summary>
    /// <param name="unitPublicKey">The unit's SM2 public key.</param>
    /// <param name="unitName">The unit's name, e.g. <c>某某市市场监督管理局</c>; at most 64 characters.</param>
    /// <param name="unitCreditCode">The unit's 18-character unified social credit code (统一社会信用代码); only its
    /// length and alphabet are checked, not its check digit.</param>
    /// <param name="notBefore">Start of validity (truncated to whole seconds).</param>
    /// <param name="validity">Length of validity; default <see cref="DefaultUnitValidityYears"/> calendar years. The certificate never outlives the root.</param>
    public byte[] IssueUnitCertificate(
        ECPublicKeyParameters unitPublicKey,
        string unitName,
        string unitCreditCode,
        DateTimeOffset notBefore,
        TimeSpan? validity = null)
    {
        ArgumentNullException.ThrowIfNull(unitPublicKey);
        ArgumentException.ThrowIfNullOrWhiteSpace(unitName);
        ArgumentNullException.ThrowIfNull(unitCreditCode);
        if (!IsWellFormedCreditCode(unitCreditCode))
        {
            throw new ArgumentException(
                "The unit credit code must be 18 characters of 0-9 and upper-case A-Z without I, O, Z, S, V.",
                nameof(unitCreditCode));
        }

        if (unitName.Length > 64)
        {
            throw new ArgumentException("The unit name may have at most 64 characters (X.520 ub-common-name).", nameof(unitName));
        }

        if (validity is { } requested && requested <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(validity), "Validity must be positive.");
        }

        ECPublicKeyParameters unitKey = Sm2Keys.ToSm2PublicKey(unitPublicKey, nameof(unitPublicKey));

        DateTime start = TruncateToSeconds(notBefore);
        DateTime end = TruncateToSeconds(validity is { } length ? notBefore + length : notBefore.AddYears(DefaultUnitValidityYears));
        if (end > AsUtc(_root.NotAfter))
        {
            end = AsUtc(_root.NotAfter);
        }

        if (start < AsUtc(_root.NotBefore) || end <= start)
        {
            throw new ArgumentException("The unit certificate's validity must lie within the root certificate's validity.", nameof(notBefore));
        }

        var subject = new X509Name(
            new List<DerObjectIdentifier> { X509Name.C, X509Name.CN, X509Name.SerialNumber },
            new List<string> { "CN", unitName, unitCreditCode });

        SubjectPublicKeyInfo spki = SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(unitKey);

        var generator = new X509V3CertificateGenerator();
        generator.SetSerialNumber(NewSerialNumber());

        // The root's subject exactly as encoded in the root certificate, so issuer/subject compare byte-for-byte.
        generator.SetIssuerDN(_root.CertificateStructure.Subject);
        generator.SetSubjectDN(subject);
        generator.SetNotBefore(start);
        generator.SetNotAfter(end);
        generator.SetPublicKey(unitKey);
        generator.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(false));
        generator.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(KeyUsage.DigitalSignature | KeyUsage.NonRepudiation));
        generator.AddExtension(X509Extensions.SubjectKeyIdentifier, false, X509ExtensionUtilities.CreateSubjectKeyIdentifier(spki));
        generator.AddExtension(X509Extensions.AuthorityKeyIdentifier, false, new AuthorityKeyIdentifier(RootKeyIdentifier()));

        return generator.Generate(SignatureFactory(_rootKey.PrivateKey)).GetEncoded();
    }

    /// <summary>
    /// Verifies a unit certificate against a root certificate at instant <paramref name="at"/>:
    /// both parse and use SM2-with-SM3; the root is self-issued, its self-signature verifies, it is a CA
    /// (basicConstraints CA:true) allowed to sign certificates (keyUsage keyCertSign, when present) and valid at
    /// <paramref name="at"/>; the leaf's issuer equals the root's subject, its signature verifies with the root's
    /// public key, it is not a CA, its authority key identifier (when present) matches the root's, and it is valid at
    /// <paramref name="at"/>. Never throws for bad input; returns the first failure found.
    /// </summary>
    public static CertificateChainStatus VerifyChain(ReadOnlySpan<byte> leafDer, ReadOnlySpan<byte> rootDer, DateTimeOffset at)
    {
        try
        {
            return VerifyChainCore(leafDer, rootDer, at);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Well-formed DER whose extensions do not decode (e.g. a corrupted key identifier).
            return CertificateChainStatus.MalformedCertificate;
        }
    }

    private static CertificateChainStatus VerifyChainCore(ReadOnlySpan<byte> leafDer, ReadOnlySpan<byte> rootDer, DateTimeOffset at)
    {
        BcX509Certificate? root = ParseCertificate(rootDer.ToArray());
        BcX509Certificate? leaf = ParseCertificate(leafDer.ToArray());
        if (root is null || leaf is null)
        {
            return CertificateChainStatus.MalformedCertificate;
        }

        if (root.SigAlgOid != Sm2WithSm3Oid || leaf.SigAlgOid != Sm2WithSm3Oid)
        {
            return CertificateChainStatus.UnsupportedAlgorithm;
        }

        ECPublicKeyParameters rootKey;
        try
        {
            rootKey = Sm2Keys.ToSm2PublicKey(root.GetPublicKey());
            _ = Sm2Keys.ToSm2PublicKey(leaf.GetPublicKey());
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return CertificateChainStatus.UnsupportedAlgorithm;
        }

        if (!root.IssuerDN.Equivalent(root.SubjectDN, true))
        {
            return CertificateChainStatus.RootNotSelfSigned;
        }

        if (!SignatureVerifies(root, rootKey))
        {
            return CertificateChainStatus.RootSignatureInvalid;
        }

        if (root.GetBasicConstraints() < 0 || (root.GetKeyUsage() is { } rootUsage && !rootUsage[5]))
        {
            return CertificateChainStatus.RootNotCertificateAuthority;
        }

        if (!IsValidAt(root, at))
        {
            return CertificateChainStatus.RootNotValidAtTime;
        }

        if (!leaf.IssuerDN.Equivalent(root.SubjectDN, true))
        {
            return CertificateChainStatus.IssuerMismatch;
        }

        byte[]? rootKeyId = KeyIdentifierOf(root);
        byte[]? leafAuthorityKeyId = AuthorityKeyIdentifierOf(leaf);
        if (rootKeyId is not null && leafAuthorityKeyId is not null && !rootKeyId.AsSpan().SequenceEqual(leafAuthorityKeyId))
        {
            return CertificateChainStatus.IssuerMismatch;
        }

        if (!SignatureVerifies(leaf, rootKey))
        {
            return CertificateChainStatus.LeafSignatureInvalid;
        }

        if (leaf.GetBasicConstraints() >= 0)
        {
            return CertificateChainStatus.LeafIsCertificateAuthority;
        }

        if (!IsValidAt(leaf, at))
        {
            return CertificateChainStatus.LeafNotValidAtTime;
        }

        return CertificateChainStatus.Valid;
    }

    /// <summary>
    /// True when <paramref name="code"/> has the form of a unified social credit code: 18 characters from
    /// 0-9 and A-Z without I, O, Z, S, V. The GB 32100 check digit is not verified.
    /// </summary>
    public static bool IsWellFormedCreditCode(string? code) =>
        code is { Length: 18 } && code.All(c => CreditCodeAlphabet.Contains(c, StringComparison.Ordinal));

    internal static BcX509Certificate? ParseCertificate(byte[] der)
    {
        if (der.Length == 0)
        {
            return null;
        }

        try
        {
            var structure = X509CertificateStructure.GetInstance(Asn1Object.FromByteArray(der));

            // Accept only canonical DER: BouncyCastle tolerates some BER/non-DER forms (e.g. a BOOLEAN TRUE
            // that is not 0xFF) and re-encodes them, which would make different bytes carry the same signature.
            if (!structure.GetDerEncoded().AsSpan().SequenceEqual(der))
            {
                return null;
            }

            return new BcX509Certificate(structure);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return null;
        }
    }

    private static bool SignatureVerifies(BcX509Certificate certificate, ECPublicKeyParameters issuerKey)
    {
        try
        {
            // The TBS signature algorithm must equal the outer one (checked by BouncyCastle's Verify as well).
            if (!certificate.CertificateStructure.SignatureAlgorithm.Equals(certificate.CertificateStructure.TbsCertificate.Signature))
            {
                return false;
            }

            return Sm2Signer.Verify(issuerKey, certificate.GetTbsCertificate(), certificate.GetSignature());
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return false;
        }
    }

    private static bool IsValidAt(BcX509Certificate certificate, DateTimeOffset at)
    {
        DateTime instant = at.UtcDateTime;
        return instant >= AsUtc(certificate.NotBefore) && instant <= AsUtc(certificate.NotAfter);
    }

    // BouncyCastle's certificate times are UTC; treat an unspecified kind as UTC rather than local time.
    internal static DateTime AsUtc(DateTime value) =>
        value.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(value, DateTimeKind.Utc) : value.ToUniversalTime();

    private static byte[]? KeyIdentifierOf(BcX509Certificate certificate)
    {
        Asn1OctetString? value = certificate.GetExtensionValue(X509Extensions.SubjectKeyIdentifier);
        return value is null ? null : SubjectKeyIdentifier.GetInstance(Asn1Object.FromByteArray(value.GetOctets())).GetKeyIdentifier();
    }

    private static byte[]? AuthorityKeyIdentifierOf(BcX509Certificate certificate)
    {
        Asn1OctetString? value = certificate.GetExtensionValue(X509Extensions.AuthorityKeyIdentifier);
        return value is null ? null : AuthorityKeyIdentifier.GetInstance(Asn1Object.FromByteArray(value.GetOctets())).KeyIdentifier?.GetOctets();
    }

    private byte[] RootKeyIdentifier() =>
        KeyIdentifierOf(_root)
        ?? X509ExtensionUtilities.CreateSubjectKeyIdentifier(SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(_rootKey.PublicKey)).GetKeyIdentifier();

    private static Asn1SignatureFactory SignatureFactory(ECPrivateKeyParameters key)
    {
        // "SM3WITHSM2" -> OID 1.2.156.10197.1.501 with absent parameters; BouncyCastle's SM2Signer uses the
        // GM/T 0009 default user id 1234567812345678 when none is given.
        var factory = new Asn1SignatureFactory(SignatureAlgorithmName, key, new SecureRandom());
        if (!((AlgorithmIdentifier)factory.AlgorithmDetails).Algorithm.Equals(GMObjectIdentifiers.sm2sign_with_sm3))
        {
            throw new InvalidOperationException("BouncyCastle did not map SM3WITHSM2 to OID 1.2.156.10197.1.501.");
        }

        return factory;
    }

    private static void SetValidity(X509V3CertificateGenerator generator, DateTimeOffset notBefore, TimeSpan validity)
    {
        if (validity <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(validity), "Validity must be positive.");
        }

        generator.SetNotBefore(TruncateToSeconds(notBefore));
        generator.SetNotAfter(TruncateToSeconds(notBefore + validity));
    }

    private static DateTime TruncateToSeconds(DateTimeOffset value)
    {
        DateTime utc = value.UtcDateTime;
        return new DateTime(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
    }

    private static BcBigInteger NewSerialNumber()
    {
        // 16 random bytes with the top bit cleared: a positive serial of at most 127 bits (RFC 5280: <= 20 octets).
        Span<byte> bytes = stackalloc byte[16];
        do
        {
            System.Security.Cryptography.RandomNumberGenerator.Fill(bytes);
            bytes[0] &= 0x7F;
        }
        while (!bytes.ContainsAnyExcept((byte)0));

        return new BcBigInteger(1, bytes.ToArray());
    }
}

/// <summary>Outcome of <see cref="CertificateAuthority.VerifyChain"/>.</summary>
public enum CertificateChainStatus
{
    /// <summary>The chain verifies.</summary>
    Valid = 0,

    /// <summary>A certificate is not valid DER X.509.</summary>
    MalformedCertificate,

    /// <summary>A certificate is not signed SM2-with-SM3, or carries a key that is not SM2.</summary>
    UnsupportedAlgorithm,

    /// <summary>The root's issuer is not its subject.</summary>
    RootNotSelfSigned,

    /// <summary>The root's self-signature does not verify.</summary>
    RootSignatureInvalid,

    /// <summary>The root is not a CA or may not sign certificates.</summary>
    RootNotCertificateAuthority,

    /// <summary>The root is expired or not yet valid at the instant.</summary>
    RootNotValidAtTime,

    /// <summary>The leaf was not issued by this root (issuer name or authority key identifier differ).</summary>
    IssuerMismatch,

    /// <summary>The leaf's signature does not verify with the root's key.</summary>
    LeafSignatureInvalid,

    /// <summary>The leaf claims to be a CA.</summary>
    LeafIsCertificateAuthority,

    /// <summary>The leaf is expired or not yet valid at the instant.</summary>
    LeafNotValidAtTime,
}
