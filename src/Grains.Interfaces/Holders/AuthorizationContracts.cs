namespace OrleansLicenses.Holders;

/// <summary>A holder's purpose-bound, time-boxed grant (授权用证) to a unit and/or a matter.</summary>
[GenerateSerializer, Immutable, Alias("ol.GrantAuthorization")]
public sealed record GrantAuthorization(
    [property: Id(0)] string LicenseNumber,
    [property: Id(1)] string? GranteeUnitCode,
    [property: Id(2)] string? MatterCode,
    [property: Id(3)] string Purpose,
    [property: Id(4)] DateTimeOffset ExpiresAt,
    [property: Id(5)] int? MaxUses);

[GenerateSerializer, Immutable, Alias("ol.AuthorizationView")]
public sealed record AuthorizationView(
    [property: Id(0)] string Id,
    [property: Id(1)] string LicenseNumber,
    [property: Id(2)] string? GranteeUnitCode,
    [property: Id(3)] string? MatterCode,
    [property: Id(4)] string Purpose,
    [property: Id(5)] DateTimeOffset ExpiresAt,
    [property: Id(6)] int? MaxUses,
    [property: Id(7)] int Uses,
    [property: Id(8)] DateTimeOffset CreatedAt,
    [property: Id(9)] DateTimeOffset? WithdrawnAt,
    [property: Id(10)] string State);
