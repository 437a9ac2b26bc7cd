namespace OrleansLicenses.GeneratedClient;

/// <summary>What the test hands the driver on standard input: where the platform is, the callers' bearer tokens
/// (minted by the test, outside the generated client), and the licence to issue and use.</summary>
public sealed record Scenario(
    string BaseUrl, string IssuerToken, string HolderToken, string VerifierToken,
    string TypeCode, ScenarioHolder Holder, Dictionary<string, string> Fields, string ValidFrom,
    string MatterCode, string Purpose, string CaseNumber);

public sealed record ScenarioHolder(string IdType, string IdNumber, string Name);

/// <summary>What the driver prints (one JSON object on standard output): the values the platform answered with.</summary>
public sealed record DriverResult(
    string LicenseId, string LicenseStatus, string PresentedLicenseId, string VerificationId, bool Valid,
    string VerifiedLicenseId, UseRecordResult Record);

public sealed record UseRecordResult(
    string VerificationId, string LicenseIdentifier, string LicenseVersion, string MatterCode, string Purpose,
    string Basis, string? CaseNumber, bool Valid);
