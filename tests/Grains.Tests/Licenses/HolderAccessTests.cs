using OrleansLicenses.Access;
using OrleansLicenses.Errors;
using OrleansLicenses.Holders;
using OrleansLicenses.Licenses;
using OrleansLicenses.Tests.Cluster;

namespace OrleansLicenses.Tests.Licenses;

/// <summary>The holder grain re-checks who calls it, whatever the API host got wrong.</summary>
[Collection(PostgresClusterCollection.Name)]
public sealed class HolderAccessTests(PostgresClusterFixture fixture)
{
    [Fact]
    public async Task HolderGrain_AnswersOnlyItsHolder_AndAdministratorsForReads()
    {
        await LicenseWorld.SeedAsync(fixture.Client);
        var holder = LicenseWorld.NewHolder();
        var number = LicenseWorld.Number(LicenseWorld.NewSerial());
        await fixture.Client.GetGrain<ILicenseGrain>(number).IssueAsync(LicenseWorld.Issue(holder, TestCalendar.Today), LicenseWorld.Issuer);
        var grain = fixture.Client.GetGrain<IHolderGrain>(holder.Key);
        var self = new Caller(holder.Key, Roles.Holder, null, null, "t");
        var stranger = new Caller(LicenseWorld.NewHolder().Key, Roles.Holder, null, null, "t");
        var grant = new GrantAuthorization(number, LicenseWorld.HarbinMarket, null, "x", TestCalendar.Clock.GetUtcNow().AddDays(1), null);

        Assert.Single(await grain.GetLicensesAsync(self));
        Assert.Single(await grain.GetLicensesAsync(LicenseWorld.Admin));
        Assert.NotNull(await grain.GrantAsync(grant, self));
        foreach (var call in new Func<Task>[]
        {
            () => grain.GetLicensesAsync(stranger), () => grain.GetAuthorizationsAsync(stranger), () => grain.GrantAsync(grant, stranger),
            () => grain.GrantAsync(grant, LicenseWorld.Admin), () => grain.WithdrawAsync("any", LicenseWorld.Issuer),
        })
        {
            Assert.Equal(DomainErrorKind.NotFound, (await Assert.ThrowsAsync<DomainException>(call)).Kind);
        }
    }
}
