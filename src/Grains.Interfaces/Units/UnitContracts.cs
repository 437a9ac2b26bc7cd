using OrleansLicenses.Access;

namespace OrleansLicenses.Units;

/// <summary>A government service unit (issuing and/or using unit). Key: its unified social credit code.</summary>
public interface IUnitGrain : IGrainWithStringKey
{
    /// <summary>Creates or changes the unit; a unit that may issue gets an SM2 signing key certified by the platform CA.</summary>
    Task<UnitView> DefineAsync(UnitDefinition definition, Caller caller);

    /// <summary>Replaces the unit's signing key; earlier certificates stay published so old signatures still verify.</summary>
    Task<UnitView> RotateKeyAsync(Caller caller);

    /// <summary>The unit, or null when it is not defined. Read-only: calls interleave, since verifications read the hall's scope.</summary>
    [Orleans.Concurrency.ReadOnly]
    Task<UnitView?> GetAsync();

    /// <summary>The live state for operators (no key material); administrators only (anyone else is refused with 403).</summary>
    Task<UnitView?> InspectAsync(Caller caller);
}

/// <summary>One business matter (事项) a unit handles and the licence types it may use for it.</summary>
[GenerateSerializer, Immutable, Alias("ol.MatterScope")]
public sealed record MatterScope(
    [property: Id(0)] string MatterCode,
    [property: Id(1)] string MatterName,
    [property: Id(2)] IReadOnlyList<string> LicenseTypes);

/// <summary>A unit as the administrator defines it; <see cref="Status"/> is <c>active</c> unless the definition says otherwise.</summary>
[GenerateSerializer, Immutable, Alias("ol.UnitDefinition")]
public sealed record UnitDefinition(
    [property: Id(0)] string Name,
    [property: Id(1)] string RegionCode,
    [property: Id(2)] string Level,
    [property: Id(3)] string? ParentUnitCode,
    [property: Id(4)] IReadOnlyList<string> IssuableTypes,
    [property: Id(5)] IReadOnlyList<MatterScope> Scope,
    [property: Id(6)] string Status = "active");

[GenerateSerializer, Immutable, Alias("ol.UnitCertificateView")]
public sealed record UnitCertificateView(
    [property: Id(0)] string SerialNumber,
    [property: Id(1)] string CertificateBase64,
    [property: Id(2)] DateTimeOffset NotBefore,
    [property: Id(3)] DateTimeOffset NotAfter,
    [property: Id(4)] bool Current);

[GenerateSerializer, Immutable, Alias("ol.UnitView")]
public sealed record UnitView(
    [property: Id(0)] string UnitCode,
    [property: Id(1)] UnitDefinition Definition,
    [property: Id(2)] IReadOnlyList<UnitCertificateView> Certificates,
    [property: Id(3)] DateTimeOffset UpdatedAt,
    [property: Id(4)] string UpdatedBy,
    [property: Id(5)] int Revision);

[GenerateSerializer, Immutable, Alias("ol.UnitSignature")]
public sealed record UnitSignature(
    [property: Id(0)] byte[] Signature,
    [property: Id(1)] byte[] Certificate,
    [property: Id(2)] string CertificateSerial);

public static class UnitTerms
{
    public static readonly IReadOnlyList<string> Levels = ["province", "city", "county", "township"];
    public static readonly IReadOnlyList<string> Statuses = ["active", "suspended", "dissolved"];
}

/// <summary>The platform's root certificate authority, which certifies every unit's signing key.</summary>
public interface ICertificateAuthorityGrain : IGrainWithStringKey
{
    /// <summary>The root certificate (DER); the root key is generated on first use and kept encrypted at rest.</summary>
    Task<byte[]> GetRootCertificateAsync();

}
