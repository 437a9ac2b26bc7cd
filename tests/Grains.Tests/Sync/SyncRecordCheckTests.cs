using System.Text;
using Microsoft.Extensions.Configuration;
using OrleansLicenses.Identifiers;
using OrleansLicenses.Licenses;
using OrleansLicenses.Signing;
using OrleansLicenses.Sync;
using OrleansLicenses.Tests.Signing;
using Xunit;

namespace OrleansLicenses.Tests.Sync;

/// <summary>The checks of a pushed record and how a checked record changes an aggregated licence.</summary>
public sealed class SyncRecordCheckTests
{
    private const string TypeCode = "11230000000000019J001";
    private const string IssuerCode = "11230100000000027J";
    private const string Province = "230000";

    private readonly CertificateAuthority authority = SigningTestData.NewAuthority();
    private readonly Sm2KeyPair unitKey = Sm2KeyPair.Generate();
    private readonly byte[] certificate;

    public SyncRecordCheckTests() =>
        certificate = authority.IssueUnitCertificate(unitKey.PublicKey, SigningTestData.UnitName, IssuerCode);

    [Fact]
    public void Check_WhenGenuine_ReadsTheSignedVersionBack()
    {
        var record = Record("001", 1, "valid");
        var (ok, refusal) = SyncRecordCheck.Check(record, Province, Trusting(authority.RootCertificateDer));
        Assert.Null(refusal);
        Assert.NotNull(ok);
        Assert.Equal(record.Identifier, ok.Version.Identifier);
        Assert.Equal("哈尔滨市南岗区示例路1号", ok.Version.Fields["address"]);
        Assert.Equal(new DateOnly(2026, 6, 1), ok.Version.ValidFrom);
        Assert.Equal(record.Document, ok.Version.Canonical);
    }

    [Fact]
    public void Check_RefusesEachKindOfBadRecord_WithItsReason()
    {
        var trusted = Trusting(authority.RootCertificateDer);
        var genuine = Record("001", 1, "valid");
        var signature = Convert.FromBase64String(genuine.Signature);
        signature[^2] ^= 0x11;
        var cases = new (SyncRecord Record, string Region, TrustedRoots Roots, string Reason)[]
        {
            (genuine with { Document = genuine.Document.Replace("南岗区", "香坊区", StringComparison.Ordinal) }, Province, trusted, SyncReasons.SignatureInvalid),
            (genuine with { Signature = Convert.ToBase64String(signature) }, Province, trusted, SyncReasons.SignatureInvalid),
            (genuine, Province, Trusting(SigningTestData.NewAuthority().RootCertificateDer), SyncReasons.CertificateUntrusted),
            (genuine, Province, Trusting(), SyncReasons.CertificateUntrusted),
            (genuine, "230200", trusted, SyncReasons.RegionOutside),
            (genuine with { Identifier = genuine.Identifier[..^1] + (genuine.Identifier[^1] == 'A' ? "B" : "A") }, Province, trusted, SyncReasons.IdentifierInvalid),
            (genuine with { Status = "dormant" }, Province, trusted, SyncReasons.CodeInvalid),
            (genuine with { Document = " " + genuine.Document }, Province, trusted, SyncReasons.Malformed),
            (genuine with { Lifecycle = genuine.Lifecycle with { ValidUntil = new DateOnly(2040, 1, 1) } }, Province, trusted, SyncReasons.DocumentMismatch),
            (genuine with { Identifier = LicenseIdentifier.Create(TypeCode, IssuerCode, "S2", "001").ToString() }, Province, trusted, SyncReasons.DocumentMismatch),
        };
        foreach (var (record, region, roots, reason) in cases)
        {
            var (ok, refusal) = SyncRecordCheck.Check(record, region, roots);
            Assert.Null(ok);
            Assert.Equal(reason, refusal?.Reason);
        }
    }

    [Fact]
    public void Apply_NeverMovesALicenceBack_AndAddsAVersionThatArrivesLate()
    {
        var roots = Trusting(authority.RootCertificateDer);
        var state = new LicenseState();
        var issue = Checked(Record("001", 1, "valid"), roots);
        var change = Checked(Record("002", 2, "valid", address: "哈尔滨市道里区新址2号"), roots);
        var suspend = Checked(Record("002", 3, "suspended", address: "哈尔滨市道里区新址2号"), roots);

        Assert.True(LicenseAggregation.Apply(state, suspend, "230100", "sync"));
        Assert.False(LicenseAggregation.Apply(state, change, "230100", "sync"));   // older, its version is known
        Assert.True(LicenseAggregation.Apply(state, issue, "230100", "sync"));     // older, but adds version 001
        Assert.False(LicenseAggregation.Apply(state, suspend, "230100", "sync"));  // repeated

        Assert.Equal(LicenseStatus.Suspended, state.Lifecycle!.Status);
        Assert.Equal(3, state.SourceSeq);
        Assert.Equal(["001", "002"], state.Versions.Select(v => v.Version));
        Assert.Equal(state.Versions[1].Identifier, state.Versions[0].SupersededBy);
        Assert.Null(state.Versions[1].SupersededBy);
        Assert.Equal("230100", state.SourceLibrary);
        Assert.Single(state.History);
        Assert.Null(LicenseAggregation.Refusal(state, issue, "230100"));
        Assert.Equal(SyncReasons.OtherSource, LicenseAggregation.Refusal(state, issue, "230200")?.Reason);
    }

    private static TrustedRoots Trusting(params byte[][] roots) => new(new ConfigurationBuilder()
        .AddInMemoryCollection(roots.Select((r, i) => new KeyValuePair<string, string?>($"{TrustedRoots.Section}:{i}", Convert.ToBase64String(r))))
        .Build());

    private static CheckedRecord Checked(SyncRecord record, TrustedRoots roots) =>
        SyncRecordCheck.Check(record, Province, roots).Checked ?? throw new InvalidOperationException("the record should pass");

    private SyncRecord Record(string version, int seq, string status, string address = "哈尔滨市南岗区示例路1号")
    {
        var license = new LicenseState { TypeCode = TypeCode, IssuerCode = IssuerCode, Serial = "S1" };
        var identifier = LicenseIdentifier.Create(TypeCode, IssuerCode, "S1", version);
        var v = new LicenseVersionState
        {
            Version = version,
            Identifier = identifier.ToString(),
            Holder = new LicenseHolderState("001", TestCodes.CreditCode('9', '1', "230102", "12345678"), "哈尔滨示例餐饮有限公司"),
            Fields = new(StringComparer.Ordinal) { ["operatorName"] = "哈尔滨示例餐饮有限公司", ["address"] = address },
            ValidFrom = new DateOnly(2026, 6, 1),
            ValidUntil = new DateOnly(2031, 5, 31),
            CatalogVersion = 1,
            SignedAt = SigningTestData.Inside,
        };
        var canonical = LicenseDocument.Canonicalize(license, v);
        var signature = Sm2Signer.Sign(unitKey, Encoding.UTF8.GetBytes(canonical));
        return new SyncRecord(identifier.ToString(), seq, seq, seq == 1 ? "issue" : "change", SigningTestData.Inside, "230100", status,
            new SyncLifecycle(v.ValidFrom, v.ValidUntil, null, false, false), SigningTestData.Inside, canonical,
            Convert.ToBase64String(signature), Convert.ToBase64String(certificate));
    }
}
