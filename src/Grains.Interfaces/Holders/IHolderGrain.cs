using OrleansLicenses.Access;

namespace OrleansLicenses.Holders;

/// <summary>
/// A holder's list of licences and the authorizations the holder grants. Key: <c>111:&lt;citizen id&gt;</c> or
/// <c>001:&lt;credit code&gt;</c>. The bookkeeping the licence grains do on a holder (reservations, using an
/// authorization) is on the silo-internal <c>IHolderBookkeepingGrain</c>, not here.
/// </summary>
public interface IHolderGrain : IGrainWithStringKey
{
    /// <summary>Grants an authorization; takes effect on the next verification.</summary>
    Task<AuthorizationView> GrantAsync(GrantAuthorization grant, Caller caller);

    /// <summary>Withdraws an authorization; false when there is no such authorization.</summary>
    Task<bool> WithdrawAsync(string authorizationId, Caller caller);

    /// <summary>The holder's authorizations, newest first.</summary>
    Task<IReadOnlyList<AuthorizationView>> GetAuthorizationsAsync(Caller caller);

    /// <summary>The holder's licences, each with its status as of today (expiry and the end of a suspension applied on read).</summary>
    Task<IReadOnlyList<HolderLicense>> GetLicensesAsync(Caller caller);

    /// <summary>
    /// 免提交: for a verifier with the holder at the counter, the holder's licences of the types the verifier's business
    /// scope maps to the matter (status as of today, no face data). Empty when the scope maps the matter to nothing,
    /// exactly as when the holder holds nothing: the answer reveals nothing outside the scope.
    /// </summary>
    Task<IReadOnlyList<HolderLicense>> ListForMatterAsync(string matterCode, Caller caller);

    /// <summary>The live state for operators; administrators only (anyone else is refused with 403).</summary>
    Task<IReadOnlyList<HolderLicense>> InspectAsync(Caller caller);
}

/// <summary>One licence in a holder's list.</summary>
/// <param name="LicenseNumber">The licence number (the licence grain key).</param>
/// <param name="TypeCode">The licence type.</param>
/// <param name="CurrentId">The identifier of the current version.</param>
/// <param name="Status">The licence's status (wire name) when it was recorded; <see cref="IHolderGrain.GetLicensesAsync"/> answers it as of today.</param>
/// <param name="ValidUntil">Last day of validity, inclusive; null = long-term.</param>
/// <param name="UpdatedAt">When the entry was last written.</param>
/// <param name="Confirmed">False while the issuance is reserved but not yet written.</param>
/// <param name="SuspendedUntil">Last day of a suspension with an end date, inclusive, when <paramref name="Status"/> is suspended.</param>
/// <param name="ValidFrom">First day of validity (null for a reservation not yet written).</param>
[GenerateSerializer, Immutable, Alias("ol.HolderLicense")]
public sealed record HolderLicense(
    [property: Id(0)] string LicenseNumber,
    [property: Id(1)] string TypeCode,
    [property: Id(2)] string CurrentId,
    [property: Id(3)] string Status,
    [property: Id(4)] DateOnly? ValidUntil,
    [property: Id(5)] DateTimeOffset UpdatedAt,
    [property: Id(6)] bool Confirmed,
    [property: Id(7)] DateOnly? SuspendedUntil = null,
    [property: Id(8)] DateOnly? ValidFrom = null);
