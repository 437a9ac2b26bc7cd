namespace OrleansLicenses.Units;

// Signing is reachable only from inside the silos: these interfaces live in the grain assembly, which the API host
// does not reference, so an API host (or anything else holding only the public contracts) cannot have arbitrary
// bytes signed with a unit's key or a key certified by the platform root.

/// <summary>The unit's signing key, for the licence grains of the silo. Same grain and key as <see cref="IUnitGrain"/>.</summary>
public interface IUnitSigningGrain : IGrainWithStringKey
{
    /// <summary>Signs data with the unit's current key (SM2 with SM3, default user id), renewing an expiring key first.</summary>
    Task<UnitSignature> SignAsync(byte[] data);
}

/// <summary>The root CA's issuing side, for the unit grains. Same grain as <see cref="ICertificateAuthorityGrain"/>.</summary>
public interface ICertificateIssuerGrain : IGrainWithStringKey
{
    /// <summary>Issues an X.509 certificate (SM2-with-SM3) for a unit's public key.</summary>
    Task<byte[]> CertifyUnitAsync(string unitCode, string unitName, byte[] subjectPublicKeyInfo);
}
