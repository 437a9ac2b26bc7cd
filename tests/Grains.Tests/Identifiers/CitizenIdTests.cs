using CsCheck;
using OrleansLicenses.Identifiers;
using Xunit;

namespace OrleansLicenses.Tests.Identifiers;

public sealed class CitizenIdTests
{
    private static readonly DateOnly Today = IdentifierGens.Today;

    [Theory]
    [InlineData("11010519491231002X")] // GB 11643-1999 examples
    [InlineData("440524188001010014")]
    [InlineData("230102199003070015")] // Harbin 道里区 area code
    [InlineData("23010220000229002X")] // leap day
    [InlineData("230102202611280010")] // born today
    [InlineData("230102185001010011")] // earliest accepted birth date
    [InlineData("232721198512311234")] // 呼玛县
    public void TryValidate_WhenKnownGood_Succeeds(string id)
    {
        Assert.True(CitizenId.TryValidate(id, Today, out var error), error);
        Assert.Equal(id[17], CitizenId.ComputeCheck(id[..17]));
    }

    [Theory]
    [InlineData(null, "citizen id number is required")]
    [InlineData("", "citizen id number is required")]
    [InlineData("23010219900307001", "citizen id number must be 18 characters, got 17")]
    [InlineData("11010519491231002x", "check character must be upper-case X")]
    [InlineData("110105194912310021", "check character should be X")]
    [InlineData("230102199003070019", "check character should be 5")]
    [InlineData("23010219900307001Y", "check character (character 18) must be a digit or X, got 'Y'")]
    [InlineData("23010A199003070015", "characters 1-17 must be digits; character 6 is 'A'")]
    [InlineData("990102199003070015", "area code 990102: '99' is not a province-level code of GB/T 2260")]
    [InlineData("830000199003070015", "area code 830000: '83' is not a province-level code of GB/T 2260")]
    [InlineData("230102199902310015", "birth date 19990231 is not a real date")]
    [InlineData("230102190002290015", "birth date 19000229 is not a real date")]
    [InlineData("230102199013010015", "birth date 19901301 is not a real date")]
    [InlineData("230102184912310015", "birth date 18491231 is before 1850-01-01, the earliest accepted")]
    public void TryValidate_WhenInvalid_NamesTheRule(string? id, string expected)
    {
        Assert.False(CitizenId.TryValidate(id, Today, out var error));
        Assert.Equal(expected, error);
    }

    [Fact]
    public void TryValidate_WhenBornAfterToday_NamesTheRule()
    {
        var tomorrow = Today.AddDays(1).ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);
        var id = $"230102{tomorrow}001";
        id += CitizenId.ComputeCheck(id);
        Assert.False(CitizenId.TryValidate(id, Today, out var error));
        Assert.Equal($"birth date {tomorrow} is in the future (today is {Today:yyyy-MM-dd})", error);
    }

    [Fact]
    public void TryValidate_DependsOnTheGivenDay_NotOnAClock()
    {
        var bornToday = TestCodes.CitizenId("230102", Today, 1);
        Assert.True(CitizenId.IsValid(bornToday, Today));
        Assert.False(CitizenId.IsValid(bornToday, Today.AddDays(-1)));
    }

    [Theory]
    [InlineData("230102199003070015", "2301**********0015")]
    [InlineData("11010519491231002X", "1101**********002X")]
    [InlineData("91230102MA1B2C3D8J", "9123**********3D8J")]
    [InlineData("123456789", "1234*6789")]
    [InlineData("12345678", "********")]
    [InlineData("", "")]
    [InlineData(null, "")]
    public void Mask_KeepsFirstFourAndLastFour(string? value, string expected)
    {
        Assert.Equal(expected, CitizenId.Mask(value));
    }

    [Fact]
    public void GetBirthDate_ReadsCharacters7To14()
    {
        Assert.Equal(new DateOnly(1949, 12, 31), CitizenId.GetBirthDate("11010519491231002X"));
        Assert.Throws<FormatException>(() => CitizenId.GetBirthDate("230102199902310015"));
    }

    [Fact]
    public void TestCodes_AppendTheCheck_AndRefuseABrokenPart()
    {
        Assert.Equal("11010519491231002X", TestCodes.CitizenId("110105", new DateOnly(1949, 12, 31), 2));
        Assert.Throws<ArgumentException>(() => TestCodes.CitizenId("990105", new DateOnly(1949, 12, 31), 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => TestCodes.CitizenId("110105", new DateOnly(1949, 12, 31), 1000));
    }

    [Fact]
    public void GeneratedIds_Validate()
    {
        IdentifierGens.CitizenIds.Sample(
            id => Assert.True(CitizenId.TryValidate(id, Today, out var error), $"{id}: {error}"),
            iter: IdentifierGens.Iterations);
    }

    [Fact]
    public void AnySingleSubstitution_IsCaught()
    {
        // MOD 11-2: modulus 11 is prime and every weight 2^k mod 11 is non-zero, so any change of one value is seen.
        IdentifierGens.Substitutions(IdentifierGens.CitizenIds, "0123456789X").Sample(
            s =>
            {
                var mutated = IdentifierGens.Substitute(s.Original, s.Position, s.Replacement);
                Assert.False(CitizenId.TryValidate(mutated, Today, out _));
                if (mutated[..17].All(char.IsAsciiDigit))
                {
                    Assert.NotEqual(mutated[17], CitizenId.ComputeCheck(mutated[..17]));
                }
            },
            iter: IdentifierGens.Iterations);
    }

    [Fact]
    public void AnyTranspositionNotTenApart_IsCaught()
    {
        // Weights 2^k mod 11 repeat with period 10, so swaps of positions 10 apart are the only blind spot.
        IdentifierGens.PositionPairs(IdentifierGens.CitizenIds).Sample(
            p =>
            {
                if (p.Original[p.First] == p.Original[p.Second] || (p.Second - p.First) % 10 == 0)
                {
                    return;
                }

                var swapped = IdentifierGens.Swap(p.Original, p.First, p.Second);
                Assert.False(CitizenId.TryValidate(swapped, Today, out _));
                if (swapped[..17].All(char.IsAsciiDigit))
                {
                    Assert.NotEqual(swapped[17], CitizenId.ComputeCheck(swapped[..17]));
                }
            },
            iter: IdentifierGens.Iterations);
    }
}
