using OrleansLicenses.Errors;

namespace OrleansLicenses.Corrections;

/// <summary>
/// What an evidence file of a correction request may be: a PDF, PNG or JPEG of at most <see cref="EvidenceLimits.MaxBytes"/>, whose
/// content starts the way its type says (so a renamed executable is not served back as an image).
/// </summary>
public static class EvidenceRules
{
    /// <summary>The error of each bad part, by field name under <c>evidence</c>; empty when the file is acceptable.</summary>
    public static IReadOnlyList<FieldError> Check(string? fileName, string? contentType, ReadOnlySpan<byte> content)
    {
        var errors = new List<FieldError>();
        if (string.IsNullOrWhiteSpace(fileName))
        {
            errors.Add(new("evidence.fileName", "is required"));
        }
        else if (fileName.Length > EvidenceLimits.MaxFileNameLength || fileName.Any(c => char.IsControl(c) || c is '/' or '\\' or '"'))
        {
            errors.Add(new("evidence.fileName", $"must be a plain file name of at most {EvidenceLimits.MaxFileNameLength} characters"));
        }

        if (contentType is null || !EvidenceLimits.ContentTypes.Contains(contentType))
        {
            errors.Add(new("evidence.contentType", $"must be one of {string.Join(", ", EvidenceLimits.ContentTypes)}"));
        }
        else if (content.Length == 0)
        {
            errors.Add(new("evidence.base64", "must not be empty"));
        }
        else if (content.Length > EvidenceLimits.MaxBytes)
        {
            errors.Add(new("evidence.base64", $"must decode to at most {EvidenceLimits.MaxBytes} bytes"));
        }
        else if (!StartsAs(contentType, content))
        {
            errors.Add(new("evidence.base64", $"is not a {contentType} file"));
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
