using OrleansLicenses.Identifiers;

namespace OrleansLicenses.Tests;

/// <summary>Builds valid codes for test data from their parts (production code only validates codes, it never makes them).</summary>
public static class TestCodes
{
    /// <summary>
    /// A credit code from department, category, 6-digit region and 8-character organisation code body: the GB 11714
    /// check is appended to the body and the GB 32100 check to the first 17 characters.
    /// </summary>
    /// <exception cref="ArgumentException">A part breaks a rule; the message is the validator's.</exception>
    public static string CreditCode(char department, char category, string regionCode, string body8)
    {
        ArgumentNullException.ThrowIfNull(regionCode);
        ArgumentNullException.ThrowIfNull(body8);
        var first17 = $"{department}{category}{regionCode}{body8}{Identifiers.CreditCode.ComputeOrganizationCodeCheck(body8)}";
        var code = first17 + Identifiers.CreditCode.ComputeCheck(first17);
        return Identifiers.CreditCode.TryValidate(code, out var error) ? code : throw new ArgumentException(error, nameof(body8));
    }

    /// <summary>A citizen id number from area code, birth date and order: the GB 11643 check is appended.</summary>
    /// <exception cref="ArgumentException">A part breaks a rule; the message is the validator's.</exception>
    public static string CitizenId(string areaCode, DateOnly birthDate, int order)
    {
        ArgumentNullException.ThrowIfNull(areaCode);
        ArgumentOutOfRangeException.ThrowIfNegative(order);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(order, 999);
        var first17 = string.Concat(
            areaCode,
            birthDate.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture),
            order.ToString("D3", System.Globalization.CultureInfo.InvariantCulture));
        var code = first17 + Identifiers.CitizenId.ComputeCheck(first17);
        // Validated as of the birth date itself, so any birth date the validator allows is accepted.
        return Identifiers.CitizenId.TryValidate(code, birthDate, out var error) ? code : throw new ArgumentException(error, nameof(areaCode));
    }
}
