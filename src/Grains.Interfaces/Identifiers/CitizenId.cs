using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace OrleansLicenses.Identifiers;

/// <summary>
/// Citizen id number 公民身份号码 (GB 11643-1999): 6-digit area code + 8-digit birth date (yyyyMMdd)
/// + 3-digit order code + ISO 7064 MOD 11-2 check character ('0'-'9' or upper-case 'X').
/// </summary>
/// <remarks>
/// Rules applied, all exact (nothing is trimmed or upper-cased):
/// <list type="bullet">
/// <item>the area code's first two digits must be a province-level code of GB/T 2260 (11-15, 21-23, 31-37,
/// 41-46, 50-54, 61-65, 71 Taiwan, 81 Hong Kong, 82 Macao); the county part is not checked against our
/// region table, because people born anywhere in China hold licences here. 83xxxx numbers of residence
/// permits for Taiwan residents are not citizen id numbers and are rejected;</item>
/// <item>the birth date must be a real calendar date, not after <c>today</c> (passed in: there is no static
/// clock) and not before <see cref="EarliestBirthDate"/> (1850-01-01), which rejects typos such as 0990 or 1090
/// while admitting every living person;</item>
/// <item>the order code is any 3 digits (odd for men, even for women);</item>
/// <item>a lower-case 'x' check character is rejected ("check character must be upper-case X").</item>
/// </list>
/// MOD 11-2 detects every single-digit substitution and every transposition of two different characters
/// that are not a multiple of 10 positions apart (weights repeat with period 10).
/// </remarks>
public static class CitizenId
{
    /// <summary>Length of a citizen id number.</summary>
    public const int Length = 18;

    /// <summary>Province-level prefixes (first two digits of the area code) accepted, per GB/T 2260.</summary>
    public static IReadOnlyList<string> ProvincePrefixes { get; } =
    [
        "11", "12", "13", "14", "15",
        "21", "22", "23",
        "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46",
        "50", "51", "52", "53", "54",
        "61", "62", "63", "64", "65",
        "71", "81", "82",
    ];

    /// <summary>Earliest birth date accepted; anything earlier is taken as a typing error.</summary>
    public static DateOnly EarliestBirthDate { get; } = new(1850, 1, 1);

    /// <summary>True when <paramref name="value"/> is a valid citizen id number as of <paramref name="today"/>.</summary>
    public static bool IsValid([NotNullWhen(true)] string? value, DateOnly today) => TryValidate(value, today, out _);

    /// <summary>Validates a citizen id number as of <paramref name="today"/>; on failure <paramref name="error"/> names the rule.</summary>
    public static bool TryValidate([NotNullWhen(true)] string? value, DateOnly today, [NotNullWhen(false)] out string? error)
    {
        error = Validate(value, today);
        return error is null;
    }

    /// <summary>The MOD 11-2 check character ('0'-'9' or 'X') for the first 17 digits.</summary>
    /// <exception cref="ArgumentException">Not exactly 17 digits.</exception>
    public static char ComputeCheck(string first17)
    {
        ArgumentNullException.ThrowIfNull(first17);
        if (first17.Length != Length - 1)
        {
            throw new ArgumentException($"Expected the first 17 digits of a citizen id number, got {first17.Length} characters.", nameof(first17));
        }

        return Iso7064.ComputeMod11Radix2(first17);
    }

    /// <summary>The birth date of a valid citizen id number.</summary>
    /// <exception cref="FormatException">Characters 7-14 are not a real date.</exception>
    public static DateOnly GetBirthDate(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length != Length || !TryParseBirthDate(value.Substring(6, 8), out var date))
        {
            throw new FormatException("Not a citizen id number with a real birth date.");
        }

        return date;
    }

    /// <summary>
    /// Masks an id number for logs and messages: keeps the first 4 and the last 4 characters and replaces the
    /// rest with '*' (<c>230102199003070015</c> → <c>2301**********0015</c>). Works for any identifier;
    /// a value of 8 characters or fewer is masked entirely.
    /// </summary>
    public static string Mask(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        if (value.Length <= 8)
        {
            return new string('*', value.Length);
        }

        return string.Concat(value.AsSpan(0, 4), new string('*', value.Length - 8), value.AsSpan(value.Length - 4));
    }

    private static string? Validate(string? value, DateOnly today)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "citizen id number is required";
        }

        if (value.Length != Length)
        {
            return $"citizen id number must be 18 characters, got {value.Length}";
        }

        for (var i = 0; i < Length - 1; i++)
        {
            if (!char.IsAsciiDigit(value[i]))
            {
                return $"characters 1-17 must be digits; character {i + 1} is '{value[i]}'";
            }
        }

        var last = value[Length - 1];
        if (last == 'x')
        {
            return "check character must be upper-case X";
        }

        if (!char.IsAsciiDigit(last) && last != 'X')
        {
            return $"check character (character 18) must be a digit or X, got '{last}'";
        }

        var area = value[..6];
        if (!ProvincePrefixes.Contains(area[..2]))
        {
            return $"area code {area}: '{area[..2]}' is not a province-level code of GB/T 2260";
        }

        var birth = value.Substring(6, 8);
        if (!TryParseBirthDate(birth, out var birthDate))
        {
            return $"birth date {birth} is not a real date";
        }

        if (birthDate > today)
        {
            return $"birth date {birth} is in the future (today is {today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)})";
        }

        if (birthDate < EarliestBirthDate)
        {
            return $"birth date {birth} is before 1850-01-01, the earliest accepted";
        }

        var check = ComputeCheck(value[..17]);
        if (last != check)
        {
            return $"check character should be {check}";
        }

        return null;
    }

    private static bool TryParseBirthDate(string yyyymmdd, out DateOnly date) =>
        DateOnly.TryParseExact(yyyymmdd, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);
}
