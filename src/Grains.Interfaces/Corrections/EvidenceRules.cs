namespace OrleansLicenses.Corrections;

/// <summary>
/// What an evidence file of a correction request may be: a PDF, PNG or JPEG of at most <see cref="MaxBytes"/>, whose
/// content starts the way its type says (so a renamed executable is not served back as an image).
/// </summary>
public static class EvidenceRules
{
    /// <summary>512 KiB: base64 of it fits the API's default 1 MiB body limit with room for the rest of the request.</summary>
    public const int MaxBytes = 512 * 1024;

    public const int MaxFileNameLength = 200;

    public static readonly IReadOnlyList<string> ContentTypes = ["application/pdf", "image/png", "image/jpeg"];

    /// <summary>The error of each bad part, by field name under <c>evidence</c>; empty when the file is acceptable.</summary>
    public static IReadOnlyList<(string Field, string Message)> Check(string? fileName, string? contentType, ReadOnlySpan<byte> content)
    {
        var errors = new List<(string, string)>();
        if (string.IsNullOrWhiteSpace(fileName))
        {
            errors.Add(("evidence.fileName", "is required"));
        }
        else if (fileName.Length > MaxFileNameLength || fileName.Any(c => char.IsControl(c) || c is '/' or '\\' or '"'))
        {
            errors.Add(("evidence.fileName", $"must be a plain file name of at most {MaxFileNameLength} characters"));
        }

        if (contentType is null || !ContentTypes.Contains(contentType))
        {
            errors.Add(("evidence.contentType", $"must be one of {string.Join(", ", ContentTypes)}"));
        }
        else if (content.Length == 0)
        {
            errors.Add(("evidence.base64", "must not be empty"));
        }
        else if (content.Length > MaxBytes)
        {
            errors.Add(("evidence.base64", $"must decode to at most {MaxBytes} bytes"));
        }
        else if (!StartsAs(contentType, content))
        {
            errors.Add(("evidence.base64", $"is not a {contentType} file"));
        }

        return errors;
    }

    private static bool StartsAs(string contentType, ReadOnlySpan<byte> content) => contentType switch
    {
        "application/pdf" => content.StartsWith("%PDF-"u8),
        "image/png" => content.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]),
        "image/jpeg" => content.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]),
        _ => false,
    };
}
