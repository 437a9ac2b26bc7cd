using OrleansLicenses.Identifiers;
using OrleansLicenses.Licenses;
using OrleansLicenses.Verification;

namespace OrleansLicenses.Tests.Licenses;

/// <summary>比对 answers only what was submitted, and never lets a verifier recover a value it may not see.</summary>
public sealed class ComparisonTests
{
    private static readonly string Citizen = TestCodes.CitizenId("230102", new DateOnly(1985, 6, 15), 123);

    private static readonly LicenseVersionState Version = new()
    {
        Version = "001",
        Identifier = "x",
        Fields = new(StringComparer.Ordinal) { ["name"] = "张医生", ["idNumber"] = Citizen, ["address"] = "哈尔滨市南岗区示例路1号" },
    };

    /// <summary>What a verifier entitled to the public fields sees: the name, the id number masked, no address.</summary>
    private static readonly VerifiedLicense Disclosed = new("x", "t", "医师执业证书", "i", "001", "张医生", "111", CitizenId.Mask(Citizen),
        new DateOnly(2020, 1, 1), null, new Dictionary<string, string>(StringComparer.Ordinal) { ["name"] = "张医生", ["idNumber"] = CitizenId.Mask(Citizen) });

    [Fact]
    public void AMaskedField_ComparesAsNotPermitted_WhetherTheCandidateIsRightOrWrong()
    {
        var wrong = TestCodes.CitizenId("230102", new DateOnly(1985, 6, 15), 124);
        var right = LicenseVerification.Compare(Version, new Dictionary<string, string> { ["idNumber"] = Citizen }, Disclosed)!;
        var guess = LicenseVerification.Compare(Version, new Dictionary<string, string> { ["idNumber"] = wrong }, Disclosed)!;

        Assert.Equal("not-permitted", right["idNumber"]);
        Assert.Equal(right, guess);
    }

    [Fact]
    public void DisclosedFieldsCompare_UndisclosedAreNotPermitted_UnknownAreAbsent()
    {
        var answer = LicenseVerification.Compare(Version, new Dictionary<string, string>
        {
            ["name"] = " 张医生 ", ["address"] = "哈尔滨市南岗区示例路1号", ["nosuch"] = "x",
        }, Disclosed)!;

        Assert.Equal(("match", "not-permitted", "absent"), (answer["name"], answer["address"], answer["nosuch"]));
        Assert.Equal("mismatch", LicenseVerification.Compare(Version, new Dictionary<string, string> { ["name"] = "李医生" }, Disclosed)!["name"]);
    }

    [Fact]
    public void ACompareOnlyAnswer_CarriesNoFaceValue()
    {
        var only = LicenseVerification.CompareOnly(Disclosed);

        Assert.Empty(only.Fields);
        Assert.Null(only.HolderName);
        Assert.Null(only.HolderIdNumber);
        Assert.Equal((Disclosed.Id, Disclosed.Version, Disclosed.ValidFrom, Disclosed.ValidUntil), (only.Id, only.Version, only.ValidFrom, only.ValidUntil));
    }
}
