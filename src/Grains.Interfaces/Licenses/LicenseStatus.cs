namespace OrleansLicenses.Licenses;

/// <summary>
/// Status of a licence. The numeric values are the national status codes (DESIGN.md §4), so a stored
/// value never changes meaning; <see cref="LicenseStatusCodes"/> gives the two-digit code and the wire name.
/// </summary>
public enum LicenseStatus
{
    /// <summary>有效 (01).</summary>
    Valid = 1,
    /// <summary>暂扣 (02).</summary>
    Suspended = 2,
    /// <summary>撤销 (03).</summary>
    Withdrawn = 3,
    /// <summary>注销 (04).</summary>
    Cancelled = 4,
    /// <summary>失效 (05). Normally derived from the validity end and the clock, never stored by an event.</summary>
    Expired = 5,
    /// <summary>转出 (06).</summary>
    Transferred = 6,
    /// <summary>吊销 (07).</summary>
    Revoked = 7,
    /// <summary>废止 (99, always with a reason).</summary>
    Abolished = 99,
}

/// <summary>National codes and wire names of <see cref="LicenseStatus"/>.</summary>
public static class LicenseStatusCodes
{
    public static readonly IReadOnlyList<LicenseStatus> All =
    [
        LicenseStatus.Valid, LicenseStatus.Suspended, LicenseStatus.Withdrawn, LicenseStatus.Cancelled,
        LicenseStatus.Expired, LicenseStatus.Transferred, LicenseStatus.Revoked, LicenseStatus.Abolished,
    ];

    /// <summary>The two-digit national status code: <c>01</c> … <c>07</c>, <c>99</c>.</summary>
    public static string ToNationalCode(this LicenseStatus status) => status switch
    {
        LicenseStatus.Valid => "01",
        LicenseStatus.Suspended => "02",
        LicenseStatus.Withdrawn => "03",
        LicenseStatus.Cancelled => "04",
        LicenseStatus.Expired => "05",
        LicenseStatus.Transferred => "06",
        LicenseStatus.Revoked => "07",
        LicenseStatus.Abolished => "99",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown licence status."),
    };

    /// <summary>The JSON name: <c>valid</c>, <c>suspended</c>, <c>withdrawn</c>, … (also the verification reason).</summary>
    public static string ToWireName(this LicenseStatus status) => status switch
    {
        LicenseStatus.Valid => "valid",
        LicenseStatus.Suspended => "suspended",
        LicenseStatus.Withdrawn => "withdrawn",
        LicenseStatus.Cancelled => "cancelled",
        LicenseStatus.Expired => "expired",
        LicenseStatus.Transferred => "transferred",
        LicenseStatus.Revoked => "revoked",
        LicenseStatus.Abolished => "abolished",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown licence status."),
    };

    /// <summary>Parses a wire name (exact, lower-case).</summary>
    public static bool TryFromWireName(string? name, out LicenseStatus status)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(candidate.ToWireName(), name, StringComparison.Ordinal))
            {
                status = candidate;
                return true;
            }
        }

        status = default;
        return false;
    }

    /// <summary>
    /// Withdrawn, cancelled, transferred, revoked and abolished end the licence for good: no event is
    /// accepted afterwards (a new licence must be issued). Valid, suspended and expired are not terminal.
    /// </summary>
    public static bool IsTerminal(this LicenseStatus status) => status
        is LicenseStatus.Withdrawn or LicenseStatus.Cancelled or LicenseStatus.Transferred
        or LicenseStatus.Revoked or LicenseStatus.Abolished;
}
