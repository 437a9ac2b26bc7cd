namespace OrleansLicenses.Access;

/// <summary>The roles a token can carry. Strings so they travel in JWT role claims unchanged.</summary>
public static class Roles
{
    public const string Admin = "admin";
    public const string Issuer = "issuer";
    public const string Verifier = "verifier";
    public const string Sync = "sync";
    public const string Holder = "holder";

    /// <summary>The roles a registered system client may have (holders come from the real-name platform).</summary>
    public static readonly IReadOnlyList<string> SystemRoles = [Admin, Issuer, Verifier, Sync];
}

/// <summary>
/// Who is calling, taken from the validated token by the API host and passed to grain methods explicitly
/// (never through <c>RequestContext</c>), so grains can re-check what the caller may do.
/// </summary>
/// <param name="Subject">Client id for system clients; <c>idType:idNumber</c> for holders.</param>
/// <param name="Role">One of <see cref="Roles"/>.</param>
/// <param name="UnitCode">The unit a system client acts for (issuer, verifier).</param>
/// <param name="RegionCode">The region a sync client or regional admin is bound to.</param>
/// <param name="RequestId">The HTTP request id, for audit correlation.</param>
[GenerateSerializer, Immutable, Alias("ol.Caller")]
public sealed record Caller(
    [property: Id(0)] string Subject,
    [property: Id(1)] string Role,
    [property: Id(2)] string? UnitCode,
    [property: Id(3)] string? RegionCode,
    [property: Id(4)] string? RequestId)
{
    public bool IsAdmin => Role == Roles.Admin;
}
