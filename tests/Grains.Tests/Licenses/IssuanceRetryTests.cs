using OrleansLicenses.Errors;
using OrleansLicenses.Licenses;
using OrleansLicenses.Tests.Cluster;

namespace OrleansLicenses.Tests.Licenses;

[Collection(PostgresClusterCollection.Name)]
public sealed class IssuanceRetryTests(PostgresClusterFixture fixture)
{
    [Fact]
    public async Task IssueAsync_RepeatedWithTheSameCommand_ReturnsTheLicenceItCreated_AndAnotherCommandIs409()
    {
        await LicenseWorld.SeedAsync(fixture.Client);
        var grain = fixture.Client.GetGrain<ILicenseGrain>(LicenseWorld.Number(LicenseWorld.NewSerial()));
        var command = LicenseWorld.Issue(LicenseWorld.NewHolder(), TestCalendar.Today);
        var first = await grain.IssueAsync(command, LicenseWorld.Issuer);
        var retry = await grain.IssueAsync(command, LicenseWorld.Issuer);
        Assert.Equal(first.Id, retry.Id);
        Assert.Equal(first.Signature, retry.Signature);

        var other = await Assert.ThrowsAsync<DomainException>(() => grain.IssueAsync(LicenseWorld.Issue(LicenseWorld.NewHolder(), TestCalendar.Today), LicenseWorld.Issuer));
        Assert.Equal("license.exists", other.Code);
        Assert.Single((await grain.GetHistoryAsync(LicenseWorld.Admin))!);
    }
}
