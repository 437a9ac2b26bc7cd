namespace OrleansLicenses.Drills;

/// <summary>Valid holder identifiers for generated licences.</summary>
internal static class Codes
{
    private const string Alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    private static readonly int[] CreditWeights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
    private static readonly int[] OrganisationWeights = [3, 7, 9, 10, 5, 8, 4, 2];

    /// <summary>GB 32100 credit code of an enterprise (91) in region 230100 whose organisation-code body is <paramref name="n"/>.</summary>
    public static string CreditCode(long n)
    {
        var body = (n % 100_000_000).ToString("D8", System.Globalization.CultureInfo.InvariantCulture);
        var s = 0;
        for (var i = 0; i < 8; i++)
        {
            s += (body[i] - '0') * OrganisationWeights[i];
        }

        var c = 11 - (s % 11);
        var organisation = c == 10 ? "X" : c == 11 ? "0" : c.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var first17 = "91230100" + body + organisation;
        s = 0;
        for (var i = 0; i < 17; i++)
        {
            s += Alphabet.IndexOf(first17[i], StringComparison.Ordinal) * CreditWeights[i];
        }

        return first17 + Alphabet[(31 - (s % 31)) % 31];
    }
}
