namespace OrleansLicenses.Identifiers;

/// <summary>
/// The two ISO/IEC 7064 check character systems used by the national identifiers:
/// MOD 11-2 (GB 11643 citizen id number) and the hybrid system MOD 37,36 (GB/T 36904 e-licence identifier).
/// </summary>
/// <remarks>
/// Both detect every single-character substitution within their alphabet. MOD 11-2 also detects every
/// transposition of two characters whose positions are not a multiple of 10 apart. MOD 37,36 does NOT detect
/// every adjacent transposition (the hybrid system misses a few pairs); do not rely on it for that.
/// </remarks>
public static class Iso7064
{
    /// <summary>The alphabet of MOD 37,36: digits then upper-case letters, valued 0..35.</summary>
    public const string Alphanumeric = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

    // Check character of MOD 11-2 indexed by (weighted sum of the body mod 11).
    private const string Mod11Radix2Checks = "10X98765432";

    /// <summary>
    /// ISO/IEC 7064 MOD 11-2 check character ('0'-'9' or 'X') for a string of decimal digits. The digit
    /// at 0-based index i of an n-digit body has weight 2^(n-i) mod 11, so for the 17-digit body of a citizen
    /// id number the weights are 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2.
    /// </summary>
    /// <exception cref="ArgumentException">The body is empty or contains a non-digit.</exception>
    public static char ComputeMod11Radix2(ReadOnlySpan<char> digits)
    {
        if (digits.IsEmpty)
        {
            throw new ArgumentException("MOD 11-2 needs at least one digit.", nameof(digits));
        }

        var sum = 0;
        foreach (var c in digits)
        {
            if (!char.IsAsciiDigit(c))
            {
                throw new ArgumentException($"MOD 11-2 is defined over digits only; found '{c}'.", nameof(digits));
            }

            // Horner's rule: after the last digit every earlier digit has been doubled once per later digit.
            sum = (sum + (c - '0')) * 2 % 11;
        }

        return Mod11Radix2Checks[sum];
    }

    /// <summary>
    /// ISO/IEC 7064 hybrid system MOD 37,36 check character over upper-case letters and digits
    /// (values 0-9 → 0..9, A-Z → 10..35). With M = 36: P₀ = M; for each character
    /// Sⱼ = (Pⱼ₋₁ + aⱼ) mod M, taken as M when 0; Pⱼ = 2·Sⱼ mod (M + 1). The check character a
    /// satisfies (Pₙ + a) mod M = 1.
    /// </summary>
    /// <exception cref="ArgumentException">The input contains a character outside 0-9A-Z.</exception>
    public static char ComputeMod37Hybrid36(ReadOnlySpan<char> chars)
    {
        var p = Mod37Hybrid36State(chars);
        return Alphanumeric[(37 - p) % 36];
    }

    /// <summary>True when the last character is the MOD 37,36 check character of the characters before it.</summary>
    public static bool IsValidMod37Hybrid36(ReadOnlySpan<char> charsWithCheck)
    {
        if (charsWithCheck.Length < 2)
        {
            return false;
        }

        foreach (var c in charsWithCheck)
        {
            if (AlphanumericValue(c) < 0)
            {
                return false;
            }
        }

        var p = Mod37Hybrid36State(charsWithCheck[..^1]);
        return (p + AlphanumericValue(charsWithCheck[^1])) % 36 == 1;
    }

    /// <summary>The value of a character in <see cref="Alphanumeric"/> (0..35), or -1 when it is not one.</summary>
    public static int AlphanumericValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'A' and <= 'Z' => c - 'A' + 10,
        _ => -1,
    };

    private static int Mod37Hybrid36State(ReadOnlySpan<char> chars)
    {
        const int m = 36;
        var p = m;
        foreach (var c in chars)
        {
            var value = AlphanumericValue(c);
            if (value < 0)
            {
                throw new ArgumentException(
                    $"MOD 37,36 is defined over digits and upper-case letters A-Z only; found '{c}'.", nameof(chars));
            }

            var s = (p + value) % m;
            if (s == 0)
            {
                s = m;
            }

            p = s * 2 % (m + 1);
        }

        return p;
    }
}
