namespace OrleansLicenses.ApiHost.Imports;

/// <summary>
/// One record of an upload: its columns by name, or why it could not be taken apart (<see cref="ProblemField"/> names
/// the column, or <c>row</c>). <see cref="Line"/> is the physical line the record starts on (the header is line 1 of a CSV).
/// </summary>
public sealed record UploadRecord(int Line, IReadOnlyDictionary<string, string>? Columns, string? ProblemField = null, string? Problem = null)
{
    public static UploadRecord Refused(int line, string field, string problem) => new(line, null, field, problem);
}

/// <summary>Thrown when an upload as a whole cannot be read (header, encoding): the request is answered 400 and nothing is kept.</summary>
public sealed class UploadUnreadableException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

/// <summary>Checks shared by the CSV and JSON Lines readers.</summary>
public static class UploadValues
{
    /// <summary>Longest record (in characters) accepted; a longer one is refused as a row, and memory stays bounded.</summary>
    public const int MaxRecordChars = 64 * 1024;

    /// <summary>Most columns a record may have.</summary>
    public const int MaxColumns = 200;

    /// <summary>The first control character other than tab, or null: none may reach a grain key, stored state or PostgreSQL text.</summary>
    public static bool HasControl(string value) => value.Any(c => char.IsControl(c) && c != '\t');
}
