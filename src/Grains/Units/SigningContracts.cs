using OrleansLicenses.Hosting;

namespace OrleansLicenses.Units;

// Signing is reachable only from inside the silos: these interfaces live in the grain assembly, which the API host
// does not reference, and they are [SiloInternal], so the silos refuse them from any Orleans client: nothing outside
// the cluster can have arbitrary bytes signed with a unit's key or a key certified by the platform root.

/// <summary>The unit's signing key, for the licence grains of the silo. Same grain and key as <see cref="IUnitGrain"/>.</summary>
[SiloInternal]
public interface IUnitSigningGrain : IGrainWithStringKey
{
    /// <summary>Signs data with the unit's current key (SM2 with SM3, default user id), renewing an expiring key first.</summary>
    Task<UnitSignature> SignAsync(byte[] data);

    /// <summary>
    /// Returns the unit's current signing key as stored (private key still encrypted) with its certificate, renewing an
    /// expiring key first, for the silo-local <c>UnitSigners</c> that sign on the caller's thread.
    /// </summary>
    Task<UnitSigningKey> GetSigningKeyAsync();
}

/// <summary>
/// A unit's current signing key as stored: the PKCS#8 private key encrypted under the silos' key-encryption key
/// (label: the unit code), never in plaintext on the wire; the certificate (DER), its serial and end of validity.
/// </summary>
[GenerateSerializer, Immutable, Alias("ol.UnitSigningKey")]
public sealed record UnitSigningKey(
    [property: Id(0)] byte[] EncryptedPrivateKey,
    [property: Id(1)] byte[] Certificate,
    [property: Id(2)] string SerialNumber,
    [property: Id(3)] DateTimeOffset NotAfter)
{
    /// <summary>Shows the serial only.</summary>
    public override string ToString() => $"UnitSigningKey(serial {SerialNumber}, not after {NotAfter:O})";
}

/// <summary>The root CA's issuing side, for the unit grains. Same grain as <see cref="ICertificateAuthorityGrain"/>.</summary>
[SiloInternal]
public interface ICertificateIssuerGrain : IGrainWithStringKey
{
    /// <summary>Issues an X.509 certificate (SM2-with-SM3) for a unit's public key.</summary>
    Task<byte[]> CertifyUnitAsync(string unitCode, string unitName, byte[] subjectPublicKeyInfo);
}
