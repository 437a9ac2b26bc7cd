using System.Diagnostics.CodeAnalysis;

namespace OrleansLicenses.Identifiers;

/// <summary>A registration department (character 1) and organisation category (character 2) pair defined by GB 32100.</summary>
public sealed record CreditCodeCategory(char Department, string DepartmentName, char Category, string CategoryName);

/// <summary>
/// Unified social credit code 统一社会信用代码 (GB 32100-2015 with its amendments): 18 characters from
/// <see cref="Alphabet"/>, laid out as
/// <list type="bullet">
/// <item>1: registration management department 登记管理部门代码;</item>
/// <item>2: organisation category 机构类别代码 (both validated against <see cref="Categories"/>);</item>
/// <item>3-8: region code of the registering authority (GB/T 2260); only checked to be 6 digits, because
/// codes are issued by authorities all over the country and our region table covers Heilongjiang only;</item>
/// <item>9-17: the GB 11714 organisation code 组织机构代码, whose 9th character is its own check
/// (<see cref="ComputeOrganizationCodeCheck"/>);</item>
/// <item>18: the check character (<see cref="ComputeCheck"/>).</item>
/// </list>
/// Input is taken exactly as given: lower-case letters and surrounding whitespace are rejected, not normalised.
/// </summary>
/// <remarks>
/// The mod-31 check detects every single substitution within the alphabet, and every transposition of two
/// different characters except a swap of character 1 with character 18 (both carry weight 1).
/// </remarks>
public static class CreditCode
{
    /// <summary>Length of a credit code.</summary>
    public const int Length = 18;

    /// <summary>Characters of a credit code, in value order 0..30 (no I, O, S, V, Z).</summary>
    public const string Alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";

    // 3^(i-1) mod 31 for positions 1..17.
    private static readonly int[] Weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

    // GB 11714 weights for the 8-character body of an organisation code.
    private static readonly int[] OrganizationCodeWeights = [3, 7, 9, 10, 5, 8, 4, 2];

    /// <summary>
    /// Every department/category pair of GB 32100-2015 table 1 as amended (A 中央军委改革和编制办公室 and
    /// N 农业 were added by the amendments).
    /// </summary>
    public static IReadOnlyList<CreditCodeCategory> Categories { get; } =
    [
        new('1', "机构编制", '1', "机关"),
        new('1', "机构编制", '2', "事业单位"),
        new('1', "机构编制", '3', "中央编办直接管理机构编制的群众团体"),
        new('1', "机构编制", '9', "其他"),
        new('2', "外交", '1', "外国常驻新闻机构"),
        new('2', "外交", '9', "其他"),
        new('3', "司法行政", '1', "律师执业机构"),
        new('3', "司法行政", '2', "公证处"),
        new('3', "司法行政", '3', "基层法律服务所"),
        new('3', "司法行政", '4', "司法鉴定机构"),
        new('3', "司法行政", '5', "仲裁委员会"),
        new('3', "司法行政", '9', "其他"),
        new('4', "文化", '1', "外国在华文化中心"),
        new('4', "文化", '9', "其他"),
        new('5', "民政", '1', "社会团体"),
        new('5', "民政", '2', "民办非企业单位"),
        new('5', "民政", '3', "基金会"),
        new('5', "民政", '9', "其他"),
        new('6', "旅游", '1', "外国旅游部门常驻代表机构"),
        new('6', "旅游", '2', "港澳台地区旅游部门常驻内地（大陆）代表机构"),
        new('6', "旅游", '9', "其他"),
        new('7', "宗教", '1', "宗教活动场所"),
        new('7', "宗教", '2', "宗教院校"),
        new('7', "宗教", '9', "其他"),
        new('8', "工会", '1', "基层工会"),
        new('8', "工会", '9', "其他"),
        new('9', "工商", '1', "企业"),
        new('9', "工商", '2', "个体工商户"),
        new('9', "工商", '3', "农民专业合作社"),
        new('A', "中央军委改革和编制办公室", '1', "军队事业单位"),
        new('A', "中央军委改革和编制办公室", '9', "其他"),
        new('N', "农业", '1', "组级集体经济组织"),
        new('N', "农业", '2', "村级集体经济组织"),
        new('N', "农业", '3', "乡镇级集体经济组织"),
        new('N', "农业", '9', "其他"),
        new('Y', "其他", '1', "其他"),
    ];

    /// <summary>True when <paramref name="value"/> is a valid credit code.</summary>
    public static bool IsValid([NotNullWhen(true)] string? value) => TryValidate(value, out _);

    /// <summary>Validates a credit code; on failure <paramref name="error"/> names the rule that failed.</summary>
    public static bool TryValidate([NotNullWhen(true)] string? value, [NotNullWhen(false)] out string? error)
    {
        error = Validate(value);
        return error is null;
    }

    /// <summary>The department/category entry of a credit code's first two characters, or null when undefined.</summary>
    public static CreditCodeCategory? FindCategory(char department, char category)
    {
        foreach (var entry in Categories)
        {
            if (entry.Department == department && entry.Category == category)
            {
                return entry;
            }
        }

        return null;
    }

    /// <summary>
    /// The GB 32100 check character for the first 17 characters: with weights 3^(i-1) mod 31,
    /// check = Alphabet[(31 − Σ mod 31) mod 31].
    /// </summary>
    /// <exception cref="ArgumentException">Not exactly 17 characters of <see cref="Alphabet"/>.</exception>
    public static char ComputeCheck(string first17)
    {
        ArgumentNullException.ThrowIfNull(first17);
        if (first17.Length != Length - 1)
        {
            throw new ArgumentException($"Expected the first 17 characters of a credit code, got {first17.Length}.", nameof(first17));
        }

        var sum = 0;
        for (var i = 0; i < first17.Length; i++)
        {
            var value = Alphabet.IndexOf(first17[i], StringComparison.Ordinal);
            if (value < 0)
            {
                throw new ArgumentException($"Character {i + 1} '{first17[i]}' is not in the credit code alphabet.", nameof(first17));
            }

            sum += value * Weights[i];
        }

        return Alphabet[(31 - (sum % 31)) % 31];
    }

    /// <summary>
    /// The GB 11714 organisation code check character for an 8-character body (digits, or letters valued A=10..Z=35):
    /// weights 3 7 9 10 5 8 4 2, C9 = 11 − Σ mod 11, where 10 is written 'X' and 11 is written '0'.
    /// </summary>
    /// <exception cref="ArgumentException">Not exactly 8 digits or upper-case letters.</exception>
    public static char ComputeOrganizationCodeCheck(string body8)
    {
        ArgumentNullException.ThrowIfNull(body8);
        if (body8.Length != 8)
        {
            throw new ArgumentException($"An organisation code body has 8 characters, got {body8.Length}.", nameof(body8));
        }

        var sum = 0;
        for (var i = 0; i < 8; i++)
        {
            var value = Iso7064.AlphanumericValue(body8[i]);
            if (value < 0)
            {
                throw new ArgumentException($"Character {i + 1} '{body8[i]}' of an organisation code must be a digit or an upper-case letter.", nameof(body8));
            }

            sum += value * OrganizationCodeWeights[i];
        }

        return (11 - (sum % 11)) switch
        {
            10 => 'X',
            11 => '0',
            var c => (char)('0' + c),
        };
    }

    private static string? Validate(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "credit code is required";
        }

        if (value.Length != Length)
        {
            return $"credit code must be 18 characters, got {value.Length}";
        }

        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (Alphabet.Contains(c, StringComparison.Ordinal))
            {
                continue;
            }

            if (char.IsAsciiLetterLower(c) && Alphabet.Contains(char.ToUpperInvariant(c), StringComparison.Ordinal))
            {
                return $"character {i + 1} '{c}' must be upper-case";
            }

            return $"character {i + 1} '{c}' is not allowed: a credit code uses digits and upper-case letters except I, O, S, V and Z";
        }

        var department = value[0];
        var category = value[1];
        if (!Categories.Any(e => e.Department == department))
        {
            return $"registration department (character 1) '{department}' is not defined by GB 32100; allowed: 1-9, A, N, Y";
        }

        if (FindCategory(department, category) is null)
        {
            var allowed = Categories.Where(e => e.Department == department).ToList();
            return $"organisation category (character 2) '{category}' is not defined for registration department '{department}' ({allowed[0].DepartmentName}); allowed: {string.Join(", ", allowed.Select(e => e.Category))}";
        }

        for (var i = 2; i < 8; i++)
        {
            if (!char.IsAsciiDigit(value[i]))
            {
                return $"region code (characters 3-8) '{value[2..8]}' must be 6 digits";
            }
        }

        var organizationCheck = ComputeOrganizationCodeCheck(value[8..16]);
        if (value[16] != organizationCheck)
        {
            return $"organisation code (characters 9-17) check character should be {organizationCheck}";
        }

        var check = ComputeCheck(value[..17]);
        if (value[17] != check)
        {
            return $"check character should be {check}";
        }

        return null;
    }
}
