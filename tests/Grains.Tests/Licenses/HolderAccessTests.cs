using OrleansLicenses.Access;
using OrleansLicenses.Catalog;
using OrleansLicenses.Clients;
using OrleansLicenses.Corrections;
using OrleansLicenses.Errors;
using OrleansLicenses.Holders;
using OrleansLicenses.Licenses;
using OrleansLicenses.Tests.Cluster;
using OrleansLicenses.Units;

namespace OrleansLicenses.Tests.Licenses;

/// <summary>The holder grain (and every grain's live-state inspection) re-checks who calls it, whatever the API host got wrong.</summary>
[Collection(PostgresClusterCollection.Name)]
public sealed class HolderAccessTests(PostgresClusterFixture fixture)
{
    [Fact]
    public async Task HolderGrain_AnswersOnlyItsHolder_AndAdministratorsForReads()
    {
        var (holder, number) = await IssuedAsync();
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

    [Fact]
    public async Task HolderState_StaysBounded_AuthorizationsInForceAreCapped_AndEndedOnesPruned()
    {
        var (holder, number) = await IssuedAsync();
        var grain = fixture.Client.GetGrain<IHolderGrain>(holder.Key);
        var self = new Caller(holder.Key, Roles.Holder, null, null, "t");
        var grant = new GrantAuthorization(number, LicenseWorld.HarbinMarket, null, "x", TestCalendar.Clock.GetUtcNow().AddDays(1), null);

        var granted = new List<string>();
        for (var i = 0; i < HolderGrain.MaxActiveAuthorizations; i++)
        {
            granted.Add((await grain.GrantAsync(grant, self)).Id);
        }

        var refused = await Assert.ThrowsAsync<DomainException>(() => grain.GrantAsync(grant, self));
        Assert.Equal((DomainErrorKind.Conflict, "authorization.limit"), (refused.Kind, refused.Code));

        // Withdrawing makes room; ended grants beyond the kept number leave the state.
        foreach (var id in granted)
        {
            await grain.WithdrawAsync(id, self);
        }

        for (var i = 0; i < 5; i++)
        {
            await grain.GrantAsync(grant, self);
        }

        var listed = await grain.GetAuthorizationsAsync(self);
        Assert.Equal(5, listed.Count(a => a.State == "active"));
        Assert.True(listed.Count <= HolderGrain.MaxEndedAuthorizationsKept + 5);
    }

    [Fact]
    public async Task Inspection_AnswersAdministrators_AndRefusesEveryoneElse_OnEveryGrainKind()
    {
        var (holder, number) = await IssuedAsync();
        var g = fixture.Client;
        var inspections = new (string Kind, Func<Caller, Task<object?>> Inspect)[]
        {
            ("license", async c => await g.GetGrain<ILicenseGrain>(number).InspectAsync(c)),
            ("holder", async c => (await g.GetGrain<IHolderGrain>(holder.Key).InspectAsync(c)).FirstOrDefault()),
            ("unit", async c => await g.GetGrain<IUnitGrain>(LicenseWorld.HarbinMarket).InspectAsync(c)),
            ("type", async c => await g.GetGrain<ILicenseTypeGrain>(LicenseWorld.FoodType).InspectAsync(c)),
            ("client", async c => await g.GetGrain<IClientGrain>("no-such-client").InspectAsync(c)),
            ("correction", async c => await g.GetGrain<ICorrectionGrain>(Guid.NewGuid().ToString()).InspectAsync(c)),
        };
        var self = new Caller(holder.Key, Roles.Holder, null, null, "t");

        foreach (var (kind, inspect) in inspections)
        {
            if (kind is "license" or "holder" or "unit" or "type")
            {
                Assert.True(await inspect(LicenseWorld.Admin) is not null, kind);
            }
            else
            {
                Assert.Null(await inspect(LicenseWorld.Admin)); // nothing registered under that key: null, not a refusal
            }

            foreach (var caller in new[] { LicenseWorld.Issuer, self })
            {
                var refused = await Assert.ThrowsAsync<DomainException>(() => inspect(caller));
                Assert.Equal((DomainErrorKind.Forbidden, "inspect.forbidden"), (refused.Kind, refused.Code));
            }
        }
    }

    /// <summary>The seeded world and one licence issued today to a new holder.</summary>
    private async Task<(HolderRef Holder, string Number)> IssuedAsync()
    {
        await LicenseWorld.SeedAsync(fixture.Client);
        var holder = LicenseWorld.NewHolder();
        var number = LicenseWorld.Number(LicenseWorld.NewSerial());
        await fixture.Client.GetGrain<ILicenseGrain>(number).IssueAsync(LicenseWorld.Issue(holder, TestCalendar.Today), LicenseWorld.Issuer);
        return (holder, number);
    }
}
