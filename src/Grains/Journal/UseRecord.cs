namespace OrleansLicenses.Journal;

/// <summary>One verification's use record (用证存档), row of <c>license_uses</c>.</summary>
public sealed record UseRecord(
    Guid Id, DateTimeOffset UsedAt, string UnitCode, string ClientId, string MatterCode, string Purpose, string Basis,
    string? AuthorizationId, string LicenseIdentifier, string LicenseVersion, string DocumentHash, string HolderKey,
    bool Valid, string Status, IReadOnlyList<string> Reasons, object Disclosed, object? Comparison,
    string? CaseNumber = null, string? OperatorName = null);
