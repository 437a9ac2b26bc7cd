namespace OrleansLicenses.Licenses;

/// <summary>
/// The lifecycle part of a licence's state: stored status, validity, annotations and version number.
/// The status that counts is <see cref="LicenseLifecycle.Effective"/>, which adds the clock.
/// </summary>
/// <param name="Status">The stored status. Events never store <see cref="LicenseStatus.Expired"/>; it may come from legacy data.</param>
/// <param name="ValidFrom">First day of validity, inclusive.</param>
/// <param name="ValidUntil">Last day of validity, inclusive; null = long-term (长期).</param>
/// <param name="SuspendedUntil">Last day of a suspension, inclusive; null while suspended = until reinstated. Only meaningful when <paramref name="Status"/> is suspended.</param>
/// <param name="Mortgaged">抵押 recorded and not released.</param>
/// <param name="Pledged">质押 recorded and not released.</param>
/// <param name="VersionNumber">1 for <c>001</c>; extend and change add one.</param>
/// <param name="LastInspectionDate">Date of the latest annual inspection recorded.</param>
/// <param name="LastInspectionResult">Its result (<see cref="InspectionResults"/>).</param>
/// <param name="StatusReason">The reason given with the event that set the stored status (suspend, revoke, …); cleared on reinstate.</param>
public sealed record Lifecycle(
    LicenseStatus Status,
    DateOnly ValidFrom,
    DateOnly? ValidUntil,
    DateOnly? SuspendedUntil,
    bool Mortgaged,
    bool Pledged,
    int VersionNumber,
    DateOnly? LastInspectionDate = null,
    string? LastInspectionResult = null,
    string? StatusReason = null)
{
    public bool IsLongTerm => ValidUntil is null;
}
