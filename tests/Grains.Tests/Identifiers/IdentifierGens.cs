using CsCheck;
using OrleansLicenses.Identifiers;

namespace OrleansLicenses.Tests.Identifiers;

/// <summary>CsCheck generators of valid national identifiers and of single-character faults.</summary>
internal static class IdentifierGens
{
    /// <summary>The "today" the citizen id tests give the validators (which take no clock): the test calendar's.</summary>
    public static readonly DateOnly Today = TestCalendar.Today;

    public const string Digits = "0123456789";

    /// <summary>Iterations per property: enough to cover every position many times, small enough for a shared 2-core box.</summary>
    public const int Iterations = 2_000;

    public static readonly Gen<string> CreditCodes =
        Gen.Select(
            Gen.Int[0, CreditCode.Categories.Count - 1],
            Gen.Char[Digits].Array[6],
            Gen.Char[CreditCode.Alphabet].Array[8],
            (category, region, body) => TestCodes.CreditCode(
                CreditCode.Categories[category].Department,
                CreditCode.Categories[category].Category,
                new string(region),
                new string(body)));

    public static readonly Gen<string> CitizenIds =
        Gen.Select(
            Gen.Int[0, CitizenId.ProvincePrefixes.Count - 1],
            Gen.Char[Digits].Array[4],
            Gen.DateOnly[CitizenId.EarliestBirthDate, Today],
            Gen.Int[0, 999],
            (province, county, birth, order) => TestCodes.CitizenId(CitizenId.ProvincePrefixes[province] + new string(county), birth, order));

    public static readonly Gen<string> Serials =
        Gen.Char[Iso7064.Alphanumeric].Array[1, LicenseIdentifier.MaxSerialLength].Select(chars => new string(chars));

    public static readonly Gen<LicenseIdentifier> LicenseIdentifiers =
        Gen.Select(
            CreditCodes,
            Gen.Char[Digits].Array[3],
            CreditCodes,
            Serials,
            Gen.Int[1, 999],
            (authority, typeSuffix, issuer, serial, version) => LicenseIdentifier.Create(
                authority + new string(typeSuffix),
                issuer,
                serial,
                version.ToString("D3", System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>
    /// A value from <paramref name="values"/>, a position in it, and a replacement character from
    /// <paramref name="alphabet"/> that differs from the one at that position.
    /// </summary>
    public static Gen<(string Original, int Position, char Replacement)> Substitutions(Gen<string> values, string alphabet) =>
        Gen.Select(values, Gen.Int[0, int.MaxValue - 1], Gen.Int[1, alphabet.Length - 1], (value, position, shift) =>
        {
            var at = position % value.Length;
            var index = alphabet.IndexOf(value[at], StringComparison.Ordinal);

            // Characters outside the alphabet (e.g. 'X' in a MOD 11-2 body) are replaced by any alphabet character.
            var replacement = index < 0 ? alphabet[shift % alphabet.Length] : alphabet[(index + shift) % alphabet.Length];
            return (value, at, replacement);
        });

    /// <summary>A value and two distinct positions in it (first &lt; second).</summary>
    public static Gen<(string Original, int First, int Second)> PositionPairs(Gen<string> values) =>
        Gen.Select(values, Gen.Int[0, int.MaxValue - 1], Gen.Int[0, int.MaxValue - 1], (value, a, b) =>
        {
            var first = a % value.Length;
            var second = b % (value.Length - 1);
            if (second >= first)
            {
                second++;
            }

            return (value, Math.Min(first, second), Math.Max(first, second));
        });

    public static string Substitute(string value, int position, char replacement) =>
        string.Concat(value.AsSpan(0, position), new string(replacement, 1), value.AsSpan(position + 1));

    public static string Swap(string value, int first, int second)
    {
        var chars = value.ToCharArray();
        (chars[first], chars[second]) = (chars[second], chars[first]);
        return new string(chars);
    }
}
