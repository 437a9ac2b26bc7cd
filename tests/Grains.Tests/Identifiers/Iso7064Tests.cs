using CsCheck;
using OrleansLicenses.Identifiers;
using Xunit;

namespace OrleansLicenses.Tests.Identifiers;

public sealed class Iso7064Tests
{
    [Theory]
    [InlineData("11010519491231002", 'X')] // GB 11643-1999 examples
    [InlineData("44052418800101001", '4')]
    [InlineData("0", '1')]
    public void Mod11Radix2_KnownValues(string digits, char expected)
    {
        Assert.Equal(expected, Iso7064.ComputeMod11Radix2(digits));
    }

    [Theory]
    [InlineData("11100000000013338W01111430000006122244L20230000403001", 'U')] // GB/T 36904 test vectors
    [InlineData("11100000000013338W01111430000006122244L20230000403002", 'S')]
    public void Mod37Hybrid36_KnownValues(string payload, char expected)
    {
        Assert.Equal(expected, Iso7064.ComputeMod37Hybrid36(payload));
        Assert.True(Iso7064.IsValidMod37Hybrid36(payload + expected));
    }

    [Theory]
    [InlineData("1234a")]
    [InlineData("12-34")]
    [InlineData("")]
    public void Mod11Radix2_WhenNotDigits_Throws(string value)
    {
        Assert.Throws<ArgumentException>(() => Iso7064.ComputeMod11Radix2(value));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("A_B")]
    public void Mod37Hybrid36_WhenOutsideAlphabet_Throws(string value)
    {
        Assert.Throws<ArgumentException>(() => Iso7064.ComputeMod37Hybrid36(value));
        Assert.False(Iso7064.IsValidMod37Hybrid36(value));
    }

    [Fact]
    public void Mod37Hybrid36_AppendedCheck_Validates_AndEverySubstitutionIsDetected()
    {
        var withCheck = Gen.Char[Iso7064.Alphanumeric].Array[1, 60]
            .Select(chars => new string(chars))
            .Select(body => body + Iso7064.ComputeMod37Hybrid36(body));
        withCheck.Sample(value => Assert.True(Iso7064.IsValidMod37Hybrid36(value)), iter: IdentifierGens.Iterations);
        IdentifierGens.Substitutions(withCheck, Iso7064.Alphanumeric).Sample(
            s => Assert.False(Iso7064.IsValidMod37Hybrid36(IdentifierGens.Substitute(s.Original, s.Position, s.Replacement))),
            iter: IdentifierGens.Iterations);
    }
}
