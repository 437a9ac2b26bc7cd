using CsCheck;
using OrleansLicenses.Identifiers;
using Xunit;

namespace OrleansLicenses.Tests.Identifiers;

public sealed class CreditCodeTests
{
    [Theory]
    [InlineData("11100000000013338W")] // defining authority of the GB/T 36904 test vector
    [InlineData("11430000006122244L")] // issuer of the GB/T 36904 test vector
    [InlineData("11230000000000019J")] // DESIGN §6.1 demo codes
    [InlineData("11230100000000027J")]
    [InlineData("11230100000000035D")]
    [InlineData("91230102MA1B2C3D8J")]
    [InlineData("914403001922038216")] // real enterprise codes, public on the national credit system
    [InlineData("91330100716105852F")]
    [InlineData("9144030071526726XG")] // organisation code check 'X'
    [InlineData("91100000100003962T")]
    public void TryValidate_WhenKnownGoodCode_Succeeds(string code)
    {
        Assert.True(CreditCode.TryValidate(code, out var error), error);
        Assert.Null(error);
        Assert.Equal(code[17], CreditCode.ComputeCheck(code[..17]));
    }

    [Theory]
    [InlineData(null, "credit code is required")]
    [InlineData("", "credit code is required")]
    [InlineData("11100000000013338", "credit code must be 18 characters, got 17")]
    [InlineData("11100000000013338WW", "credit code must be 18 characters, got 19")]
    [InlineData("11100000000013338X", "check character should be W")]
    [InlineData("11100000000013338w", "character 18 'w' must be upper-case")]
    [InlineData("1110000000001333IW", "character 17 'I' is not allowed: a credit code uses digits and upper-case letters except I, O, S, V and Z")]
    [InlineData("1110000000001333-W", "character 17 '-' is not allowed")]
    [InlineData(" 1100000000013338W", "character 1 ' ' is not allowed")]
    [InlineData("B1100000000013338W", "registration department (character 1) 'B' is not defined by GB 32100; allowed: 1-9, A, N, Y")]
    [InlineData("94230102MA1B2C3D8J", "organisation category (character 2) '4' is not defined for registration department '9' (工商); allowed: 1, 2, 3")]
    [InlineData("Y2230102MA1B2C3D8J", "organisation category (character 2) '2' is not defined for registration department 'Y' (其他); allowed: 1")]
    [InlineData("91A30102MA1B2C3D8J", "region code (characters 3-8) 'A30102' must be 6 digits")]
    [InlineData("91230102MA1B2C3D7J", "organisation code (characters 9-17) check character should be 8")]
    public void TryValidate_WhenInvalid_NamesTheRule(string? code, string expected)
    {
        Assert.False(CreditCode.TryValidate(code, out var error));
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Categories_MatchGb32100Table()
    {
        string CategoriesOf(char department) =>
            new(CreditCode.Categories.Where(c => c.Department == department).Select(c => c.Category).ToArray());

        Assert.Equal("1239", CategoriesOf('1'));
        Assert.Equal("19", CategoriesOf('2'));
        Assert.Equal("123459", CategoriesOf('3'));
        Assert.Equal("19", CategoriesOf('4'));
        Assert.Equal("1239", CategoriesOf('5'));
        Assert.Equal("129", CategoriesOf('6'));
        Assert.Equal("129", CategoriesOf('7'));
        Assert.Equal("19", CategoriesOf('8'));
        Assert.Equal("123", CategoriesOf('9'));
        Assert.Equal("19", CategoriesOf('A'));
        Assert.Equal("1239", CategoriesOf('N'));
        Assert.Equal("1", CategoriesOf('Y'));
        Assert.Equal("123456789ANY", new string(CreditCode.Categories.Select(c => c.Department).Distinct().ToArray()));
        Assert.Equal("企业", CreditCode.FindCategory('9', '1')?.CategoryName);
        Assert.Null(CreditCode.FindCategory('9', '9'));
    }

    [Fact]
    public void ComputeCheck_WhenWeightedSumIsMultipleOf31_IsZeroNotThirtyOne()
    {
        // Σ mod 31 = 0 must give (31 − 0) mod 31 = 0, i.e. '0', not an out-of-range 31.
        Assert.Equal('0', CreditCode.ComputeCheck("00000000000000000"));

        // Σ = 1 gives 30, the last character of the alphabet.
        Assert.Equal('Y', CreditCode.ComputeCheck("10000000000000000"));
    }

    [Fact]
    public void ComputeOrganizationCodeCheck_MapsTenToXAndElevenToZero()
    {
        Assert.Equal('0', CreditCode.ComputeOrganizationCodeCheck("00000000")); // 11 − 0 = 11 → '0'
        Assert.Equal('X', CreditCode.ComputeOrganizationCodeCheck("00000006")); // Σ = 12, 11 − 1 = 10 → 'X'
        Assert.Equal('8', CreditCode.ComputeOrganizationCodeCheck("MA1B2C3D")); // letters valued A=10..Z=35
    }

    [Fact]
    public void TestCodes_BuildTheDemoCode_AndRefuseABrokenPart()
    {
        Assert.Equal("91230102MA1B2C3D8J", TestCodes.CreditCode('9', '1', "230102", "MA1B2C3D"));
        Assert.Throws<ArgumentException>(() => TestCodes.CreditCode('9', '9', "230102", "MA1B2C3D"));
        Assert.Throws<ArgumentException>(() => TestCodes.CreditCode('9', '1', "230102", "MA1B2C3I"));
    }

    [Fact]
    public void GeneratedCodes_Validate()
    {
        IdentifierGens.CreditCodes.Sample(
            code => Assert.True(CreditCode.TryValidate(code, out var error), $"{code}: {error}"),
            iter: IdentifierGens.Iterations);
    }

    [Fact]
    public void AnySingleSubstitutionWithinTheAlphabet_BreaksTheCheck()
    {
        // Guaranteed: modulus 31 is prime, every weight is non-zero mod 31 and values differ by 1..30.
        IdentifierGens.Substitutions(IdentifierGens.CreditCodes, CreditCode.Alphabet).Sample(
            s =>
            {
                var mutated = IdentifierGens.Substitute(s.Original, s.Position, s.Replacement);
                Assert.NotEqual(mutated[17], CreditCode.ComputeCheck(mutated[..17]));
                Assert.False(CreditCode.TryValidate(mutated, out _));
            },
            iter: IdentifierGens.Iterations);
    }

    [Fact]
    public void AnySingleSubstitutionOutsideTheAlphabet_IsRejected()
    {
        IdentifierGens.Substitutions(IdentifierGens.CreditCodes, "IOSVZabcxy-_ .*").Sample(
            s => Assert.False(CreditCode.TryValidate(IdentifierGens.Substitute(s.Original, s.Position, s.Replacement), out _)),
            iter: IdentifierGens.Iterations);
    }

    [Fact]
    public void AnyTranspositionOfDifferentCharacters_BreaksTheCheck_ExceptFirstWithLast()
    {
        // Weights 3^0..3^16 mod 31 are pairwise distinct (3 has order 30 mod 31); the check itself weighs 1 = 3^0,
        // so only a swap of characters 1 and 18 can go unnoticed.
        IdentifierGens.PositionPairs(IdentifierGens.CreditCodes).Sample(
            p =>
            {
                if (p.Original[p.First] == p.Original[p.Second] || (p.First == 0 && p.Second == 17))
                {
                    return;
                }

                var swapped = IdentifierGens.Swap(p.Original, p.First, p.Second);
                Assert.NotEqual(swapped[17], CreditCode.ComputeCheck(swapped[..17]));
                Assert.False(CreditCode.TryValidate(swapped, out _));
            },
            iter: IdentifierGens.Iterations);
    }

    [Fact]
    public void SwapOfFirstAndLastCharacter_IsTheKnownBlindSpotOfTheCheck()
    {
        // Documents the one transposition the mod-31 check cannot see (the department rule catches this example).
        var swapped = IdentifierGens.Swap("11100000000013338W", 0, 17);
        Assert.Equal(swapped[17], CreditCode.ComputeCheck(swapped[..17]));
        Assert.False(CreditCode.TryValidate(swapped, out var error));
        Assert.StartsWith("registration department", error, StringComparison.Ordinal);
    }
}
