namespace OrleansLicenses.Journal;

/// <summary>One verification's use record (用证存档), row of <c>license_uses</c>.</summary>
public sealed record UseRecord(
    Guid Id, DateTimeOffset UsedAt, string UnitCode, string ClientId, string MatterCode, string Purpose, string Basis,
    string? AuthorizationId, string LicenseIdentifier, string LicenseVersion, string DocumentHash, string HolderKey,
    bool Valid, string Status, IReadOnlyList<string> Reasons, object Disclosed, object? Comparison,
    string? CaseNumber = null, string? OperatorName = null, string Kind = UseKinds.Verification, string? PresentationId = null);

/// <summary>What a use handed over (<c>license_uses.use_kind</c>).</summary>
public static class UseKinds
{
    /// <summary>A verification answer: validity, reasons and the minimum necessary fields (or only a comparison).</summary>
    public const string Verification = "verification";

    /// <summary>The whole signed document, to a verifier the holder authorized.</summary>
    public const string Document = "document";
}
