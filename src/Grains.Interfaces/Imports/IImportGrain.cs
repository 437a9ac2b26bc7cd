namespace OrleansLicenses.Imports;

/// <summary>
/// One bulk import (offline or legacy licences), keyed by its import id. The upload is already stored
/// (<c>imports</c>, <c>import_rows</c>); the grain issues its records in the background, chunk by chunk, and commits
/// its progress with each chunk, so it resumes after the last committed chunk when a silo restarts (a reminder wakes it).
/// Progress is read from the <c>imports</c> table, not from the grain.
/// </summary>
public interface IImportGrain : IGrainWithGuidKey
{
    /// <summary>Starts processing the stored upload in the background (or keeps it going); returns at once.</summary>
    Task StartAsync();
}

/// <summary>The kinds of import and the column names the records use (CSV header, JSON Lines member names).</summary>
public static class ImportColumns
{
    public const string KindOffline = "offline";
    public const string KindLegacy = "legacy";

    public const string SourceId = "sourceId";
    public const string HolderIdType = "holderIdType";
    public const string HolderIdNumber = "holderIdNumber";
    public const string HolderName = "holderName";
    public const string ValidFrom = "validFrom";
    public const string ValidUntil = "validUntil";
    public const string LegacyIdentifier = "legacyIdentifier";
    public const string OriginalIssueDate = "originalIssueDate";

    /// <summary>The columns every record has; <see cref="LegacyOnly"/> are added for a legacy import; any other column is a face element.</summary>
    public static readonly IReadOnlyList<string> Common = [SourceId, HolderIdType, HolderIdNumber, HolderName, ValidFrom, ValidUntil];

    /// <summary>The columns of a legacy record besides <see cref="Common"/>.</summary>
    public static readonly IReadOnlyList<string> LegacyOnly = [LegacyIdentifier, OriginalIssueDate];

    /// <summary>Longest source record id accepted.</summary>
    public const int MaxSourceIdLength = 64;
}
