using OrleansLicenses.Access;

namespace OrleansLicenses.Holders;

/// <summary>A holder's list of licences. Key: <c>111:&lt;citizen id&gt;</c> or <c>001:&lt;credit code&gt;</c>.</summary>
public interface IHolderGrain : IGrainWithStringKey
{
    /// <summary>
    /// Reserves a licence for this holder before it is written; for a type that allows one live licence per holder
    /// a second live one is refused with a conflict naming the existing licence.
    /// </summary>
    Task ReserveAsync(string licenseNumber, string typeCode, bool multipleInstances);

    /// <summary>Grants an authorization; takes effect on the next verification.</summary>
    Task<AuthorizationView> GrantAsync(GrantAuthorization grant, Caller caller);

    /// <summary>Withdraws an authorization; false when there is no such authorization.</summary>
    Task<bool> WithdrawAsync(string authorizationId, Caller caller);

    /// <summary>The holder's authorizations, newest first.</summary>
    Task<IReadOnlyList<AuthorizationView>> GetAuthorizationsAsync(Caller caller);

    /// <summary>
    /// Uses an authorization for one verification if it covers the licence, unit and matter and is neither expired,
    /// withdrawn nor used up; counts the use durably. False otherwise.
    /// </summary>
    /// <remarks><paramref name="verifierHandlesMatter"/>: whether the verifier's business scope lists the matter; a grant
    /// to a matter (without a unit) only lets units that really handle that matter use it.</remarks>
    Task<bool> ConsumeAuthorizationAsync(string authorizationId, string licenseNumber, string unitCode, string matterCode, bool verifierHandlesMatter);

    /// <summary>The holder's licences, each with its status as of today (expiry and the end of a suspension applied on read).</summary>
    Task<IReadOnlyList<HolderLicense>> GetLicensesAsync(Caller caller);

    /// <summary>The live state for operators and the dashboard.</summary>
    Task<IReadOnlyList<HolderLicense>> GetState();
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
[GenerateSerializer, Immutable, Alias("ol.HolderLicense")]
public sealed record HolderLicense(
    [property: Id(0)] string LicenseNumber,
    [property: Id(1)] string TypeCode,
    [property: Id(2)] string CurrentId,
    [property: Id(3)] string Status,
    [property: Id(4)] DateOnly? ValidUntil,
    [property: Id(5)] DateTimeOffset UpdatedAt,
    [property: Id(6)] bool Confirmed,
    [property: Id(7)] DateOnly? SuspendedUntil = null);
