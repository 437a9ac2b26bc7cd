namespace OrleansLicenses.Corrections;

/// <summary>Limits of an evidence file on a correction request (what the API host can check from the request alone).</summary>
public static class EvidenceLimits
{
    /// <summary>512 KiB: base64 of it fits the API's default 1 MiB body limit with room for the rest of the request.</summary>
    public const int MaxBytes = 512 * 1024;

    public const int MaxFileNameLength = 200;

    public static readonly IReadOnlyList<string> ContentTypes = ["application/pdf", "image/png", "image/jpeg"];
}
