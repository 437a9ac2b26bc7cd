using CsCheck;
using OrleansLicenses.Identifiers;
using Xunit;

namespace OrleansLicenses.Tests.Identifiers;

public sealed class LicenseIdentifierTests
{
    private const string Vector1 = "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U";
    private const string Vector2 = "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.002.S";
    private const string DemoId = "1.2.156.3005.2.11230000000000019J001.11230100000000027J.2026000001.001.U";

    [Theory]
    [InlineData(Vector1, "001", 'U')]
    [InlineData(Vector2, "002", 'S')]
    public void TryParse_TestVectors_AreValid(string value, string version, char check)
    {
        Assert.True(LicenseIdentifier.TryParse(value, out var id, out var error), error);
        Assert.Null(error);
        Assert.Equal("11100000000013338W011", id.TypeCode);
        Assert.Equal("11430000006122244L", id.IssuerCode);
        Assert.Equal("20230000403", id.Serial);
        Assert.Equal(version, id.Version);
        Assert.Equal(check, id.Check);
        Assert.Equal(check, LicenseIdentifier.ComputeCheck(id.TypeCode, id.IssuerCode, id.Serial, id.Version));
        Assert.Equal("11100000000013338W011.11430000006122244L.20230000403", id.Number);
        Assert.Equal(value, id.ToString());
    }

    [Fact]
    public void TryParse_DesignDemoIdentifier_IsValid()
    {
        Assert.True(LicenseIdentifier.TryValidate(DemoId, out var error), error);
    }

    [Fact]
    public void Create_ComputesTheCheckOfTheVectors()
    {
        var first = LicenseIdentifier.Create("11100000000013338W011", "11430000006122244L", "20230000403");
        Assert.Equal(Vector1, first.ToString());
        Assert.Equal('S', LicenseIdentifier.ComputeCheck("11100000000013338W011", "11430000006122244L", "20230000403", "002"));
        Assert.Equal('U', Iso7064.ComputeMod37Hybrid36("11100000000013338W01111430000006122244L20230000403001"));
    }

    [Fact]
    public void NextVersion_GivesTheSecondVector()
    {
        var next = LicenseIdentifier.Parse(Vector1).NextVersion();
        Assert.Equal(Vector2, next.ToString());
        Assert.Equal(2, next.VersionNumber);
        Assert.Equal(LicenseIdentifier.Parse(Vector1).Number, next.Number);
    }

    [Fact]
    public void NextVersion_AtVersion999_Throws()
    {
        var last = LicenseIdentifier.Create("11100000000013338W011", "11430000006122244L", "20230000403", "999");
        Assert.Throws<InvalidOperationException>(() => last.NextVersion());
    }

    [Theory]
    [InlineData(null, "licence identifier is required")]
    [InlineData("1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.A", "check character should be U")]
    [InlineData("1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.002.U", "check character should be S")]
    [InlineData("1.2.156.3005.2.11100000000013338W011.11430000006122244L.2023000040a.001.U", "segment 'serial' must contain only upper-case letters A-Z and digits")]
    [InlineData("1.2.156.3005.2.11100000000013338W011.11430000006122244L.2023_000403.001.U", "segment 'serial' must contain only upper-case letters A-Z and digits")]
    [InlineData("1.2.156.3005.2.11100000000013338W011.11430000006122244L..001.U", "segment 'serial' must not be empty")]
    [InlineData("1.2.156.3005.2.11100000000013338W011.11430000006122244L.1234567890123456789012345678901.001.U", "segment 'serial' must be at most 30 characters, got 31")]
    [InlineData("1.2.156.3005.2.11100000000013338W01.11430000006122244L.20230000403.001.U", "segment 'type' must be 21 characters (18-character credit code of the defining authority + 3 digits), got 20")]
    [InlineData("1.2.156.3005.2.11100000000013338W0A1.11430000006122244L.20230000403.001.U", "segment 'type' must end with 3 digits, got '0A1'")]
    [InlineData("1.2.156.3005.2.11100000000013338X011.11430000006122244L.20230000403.001.U", "segment 'type' (credit code of the defining authority, characters 1-18): check character should be W")]
    [InlineData("1.2.156.3005.2.11100000000013338W011.11430000006122244.20230000403.001.U", "segment 'issuer' (credit code of the issuing unit): credit code must be 18 characters, got 17")]
    [InlineData("1.2.156.3005.2.11100000000013338W011.11430000006122244M.20230000403.001.U", "segment 'issuer' (credit code of the issuing unit): check character should be L")]
    [InlineData("1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.01.U", "segment 'version' must be exactly 3 digits, 001 to 999")]
    [InlineData("1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.0001.U", "segment 'version' must be exactly 3 digits, 001 to 999")]
    [InlineData("1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.000.U", "segment 'version' must be from 001 to 999; versions start at 001")]
    [InlineData("1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.u", "segment 'check' must be one upper-case letter A-Z or digit")]
    [InlineData("1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.UU", "segment 'check' must be one upper-case letter A-Z or digit")]
    [InlineData("1.2.156.3005.3.11100000000013338W011.11430000006122244L.20230000403.001.U", "licence identifier must start with the root 1.2.156.3005.2")]
    [InlineData("11100000000013338W011.11430000006122244L.20230000403.001.U", "licence identifier must start with the root 1.2.156.3005.2")]
    [InlineData("1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001", "licence identifier must have 5 segments after the root 1.2.156.3005.2 (type.issuer.serial.version.check), got 4")]
    [InlineData("1.2.156.3005.2.11100000000013338W011.11430000006122244L.2023.0000403.001.U", "licence identifier must have 5 segments after the root 1.2.156.3005.2 (type.issuer.serial.version.check), got 6")]
    [InlineData(" 1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U", "licence identifier must not contain whitespace")]
    public void TryParse_WhenInvalid_NamesTheRule(string? value, string expected)
    {
        Assert.False(LicenseIdentifier.TryParse(value, out var id, out var error));
        Assert.Null(id);
        Assert.Equal(expected, error);
        Assert.Equal(expected, Assert.Throws<FormatException>(() => LicenseIdentifier.Parse(value!)).Message);
    }

    [Fact]
    public void TryParseLenient_WhenCheckWrong_KeepsItAndFlagsTheMismatch()
    {
        const string paper = "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.A";
        Assert.False(LicenseIdentifier.TryParse(paper, out _, out var strictError));
        Assert.Equal("check character should be U", strictError);
        Assert.True(LicenseIdentifier.TryParseLenient(paper, out var id, out var error), error);
        Assert.True(id.CheckMismatch);
        Assert.Equal('A', id.Check);
        Assert.Equal(paper, id.ToString());
        Assert.Equal("002", id.NextVersion().Version);
        Assert.False(id.NextVersion().CheckMismatch);
    }

    [Fact]
    public void TryParseLenient_WhenCheckRight_EqualsTheStrictParse()
    {
        const string value = "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U";
        Assert.True(LicenseIdentifier.TryParseLenient(value, out var id, out _));
        Assert.False(id.CheckMismatch);
        Assert.Equal(LicenseIdentifier.Parse(value), id);
    }

    [Theory]
    [InlineData("1.2.156.3005.2.11100000000013338W011.11430000006122244L.2023000040a.001.A", "segment 'serial' must contain only upper-case letters A-Z and digits")]
    [InlineData("1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.a", "segment 'check' must be one upper-case letter A-Z or digit")]
    [InlineData("1.2.156.3005.2.11100000000013338W011.11430000006122244M.20230000403.001.U", "segment 'issuer' (credit code of the issuing unit): check character should be L")]
    public void TryParseLenient_KeepsEveryOtherRule(string value, string expected)
    {
        Assert.False(LicenseIdentifier.TryParseLenient(value, out var id, out var error));
        Assert.Null(id);
        Assert.Equal(expected, error);
    }

    [Fact]
    public void Create_WhenPartInvalid_ThrowsNamingTheSegment()
    {
        var ex = Assert.Throws<ArgumentException>(() => LicenseIdentifier.Create("11100000000013338W011", "11430000006122244L", "2023_1"));
        Assert.Equal("segment 'serial' must contain only upper-case letters A-Z and digits", ex.Message);
        Assert.Throws<ArgumentException>(() => LicenseIdentifier.Create("11100000000013338W011", "11430000006122244L", "2023", "1000"));
    }

    [Fact]
    public void LicenseNumber_ParsesTypeIssuerSerial()
    {
        Assert.True(LicenseNumber.TryParse("11100000000013338W011.11430000006122244L.20230000403", out var number, out var error), error);
        Assert.Equal("11100000000013338W011", number.TypeCode);
        Assert.Equal("11430000006122244L", number.IssuerCode);
        Assert.Equal("20230000403", number.Serial);
        Assert.Equal("11100000000013338W011.11430000006122244L.20230000403", number.ToString());
        Assert.Equal(LicenseIdentifier.Parse(Vector1), number.WithVersion());
        Assert.Equal(LicenseIdentifier.Parse(Vector2), LicenseIdentifier.Create(number, "002"));
        Assert.Equal(number, LicenseIdentifier.Parse(Vector2).LicenseNumber);
    }

    [Theory]
    [InlineData(null, "licence number is required")]
    [InlineData("11100000000013338W011.11430000006122244L", "licence number must have 3 dot-separated segments (type.issuer.serial), got 2")]
    [InlineData(Vector1, "a licence number has no root: give {type}.{issuer}.{serial} without 1.2.156.3005.2, version and check")]
    [InlineData("11100000000013338W011.11430000006122244L.2023-403", "segment 'serial' must contain only upper-case letters A-Z and digits")]
    public void LicenseNumber_WhenInvalid_NamesTheRule(string? value, string expected)
    {
        Assert.False(LicenseNumber.TryParse(value, out var number, out var error));
        Assert.Null(number);
        Assert.Equal(expected, error);
    }

    [Fact]
    public void GeneratedIdentifiers_RoundTrip()
    {
        IdentifierGens.LicenseIdentifiers.Sample(
            id =>
            {
                Assert.True(LicenseIdentifier.TryParse(id.ToString(), out var parsed, out var error), $"{id}: {error}");
                Assert.Equal(id, parsed);
                Assert.True(LicenseNumber.TryParse(id.Number, out var number, out error), error);
                Assert.Equal(id.LicenseNumber, number);
            },
            iter: IdentifierGens.Iterations);
    }

    [Fact]
    public void AnySingleSubstitutionInPayloadOrCheck_IsCaught()
    {
        // MOD 37,36 (a hybrid ISO/IEC 7064 system) detects every single substitution within 0-9A-Z.
        var payloads = IdentifierGens.LicenseIdentifiers.Select(id => id.TypeCode + id.IssuerCode + id.Serial + id.Version + id.Check);
        IdentifierGens.Substitutions(payloads, Iso7064.Alphanumeric).Sample(
            s =>
            {
                var mutated = IdentifierGens.Substitute(s.Original, s.Position, s.Replacement);
                Assert.False(Iso7064.IsValidMod37Hybrid36(mutated));

                var serialLength = mutated.Length - 21 - 18 - 3 - 1;
                var text = string.Join('.', LicenseIdentifier.Root, mutated[..21], mutated[21..39], mutated.Substring(39, serialLength), mutated[^4..^1], mutated[^1..]);
                Assert.False(LicenseIdentifier.TryParse(text, out _, out _));
            },
            iter: IdentifierGens.Iterations);
    }

    [Fact]
    public void SubstitutedCheckCharacter_IsRejectedStrictly_AndFlaggedLeniently()
    {
        IdentifierGens.LicenseIdentifiers.Select(Gen.Int[1, 35], (id, shift) => (id, shift)).Sample(
            t =>
            {
                var wrong = Iso7064.Alphanumeric[(Iso7064.AlphanumericValue(t.id.Check) + t.shift) % 36];
                var text = t.id.ToString()[..^1] + wrong;
                Assert.False(LicenseIdentifier.TryParse(text, out _, out var error));
                Assert.Equal($"check character should be {t.id.Check}", error);
            },
            iter: IdentifierGens.Iterations);
    }

    [Fact]
    public void AdjacentTransposition_IsNotAlwaysCaughtByMod3736()
    {
        // Documents a limit of the hybrid system: "QR" and "RQ" in the serial give the same check character.
        // Do not rely on the identifier check to catch swapped characters.
        Assert.Equal(
            LicenseIdentifier.ComputeCheck("11100000000013338W011", "11430000006122244L", "2023QR00403", "001"),
            LicenseIdentifier.ComputeCheck("11100000000013338W011", "11430000006122244L", "2023RQ00403", "001"));
    }
}
