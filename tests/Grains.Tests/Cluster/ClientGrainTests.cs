using OrleansLicenses.Access;
using OrleansLicenses.Clients;
using OrleansLicenses.Errors;

namespace OrleansLicenses.Tests.Cluster;

[Collection(PostgresClusterCollection.Name)]
public sealed class ClientGrainTests(PostgresClusterFixture fixture)
{
    private static readonly Caller Admin = new("admin", Roles.Admin, null, null, "t");

    [Fact]
    public async Task RegisterAsync_ReturnsSecretOnce_AndAuthenticatesWithIt()
    {
        var grain = fixture.Client.GetGrain<IClientGrain>($"c-{Guid.NewGuid():N}");
        var registered = await grain.RegisterAsync(new RegisterClient("Hall system", Roles.Verifier, "11230100000000035D", null), Admin);

        var ok = await grain.AuthenticateAsync(registered.ClientSecret, "10.0.0.1");
        Assert.Equal(ClientAuthenticationResult.Succeeded, ok.Result);
        Assert.Equal(Roles.Verifier, ok.Client!.Role);
        Assert.Equal(ClientAuthenticationResult.WrongSecret, (await grain.AuthenticateAsync("not the secret", "10.0.0.1")).Result);
    }

    [Fact]
    public async Task RegisterAsync_ByNonAdmin_IsForbidden_AndTwiceIsConflict()
    {
        var grain = fixture.Client.GetGrain<IClientGrain>($"c-{Guid.NewGuid():N}");
        var forbidden = await Assert.ThrowsAsync<DomainException>(() =>
            grain.RegisterAsync(new RegisterClient("x", Roles.Admin, null, null), Admin with { Role = Roles.Issuer }));
        Assert.Equal(DomainErrorKind.Forbidden, forbidden.Kind);

        await grain.RegisterAsync(new RegisterClient("x", Roles.Admin, null, null), Admin);
        var conflict = await Assert.ThrowsAsync<DomainException>(() => grain.RegisterAsync(new RegisterClient("x", Roles.Admin, null, null), Admin));
        Assert.Equal("client.exists", conflict.Code);
    }

    [Fact]
    public async Task AuthenticateAsync_AfterRepeatedFailures_LocksOutThatAddress_EvenWithTheRightSecret_ButNotTheClientsOwnAddress()
    {
        var grain = fixture.Client.GetGrain<IClientGrain>($"c-{Guid.NewGuid():N}");
        var registered = await grain.RegisterAsync(new RegisterClient("x", Roles.Sync, null, "230100"), Admin);
        for (var i = 0; i < 5; i++)
        {
            await grain.AuthenticateAsync("wrong", "10.0.0.66");
        }

        var locked = await grain.AuthenticateAsync(registered.ClientSecret, "10.0.0.66");
        Assert.Equal(ClientAuthenticationResult.LockedOut, locked.Result);
        Assert.NotNull(locked.LockedUntil);

        // The client's own system, from its own address, is not locked out by a stranger's guesses.
        Assert.Equal(ClientAuthenticationResult.Succeeded, (await grain.AuthenticateAsync(registered.ClientSecret, "10.0.0.1")).Result);
    }

    [Fact]
    public async Task DisableAsync_BumpsTheVersion_AndTheRightSecretNoLongerAuthenticates()
    {
        var grain = fixture.Client.GetGrain<IClientGrain>($"c-{Guid.NewGuid():N}");
        var registered = await grain.RegisterAsync(new RegisterClient("x", Roles.Sync, null, "230100"), Admin);
        Assert.Equal(0, registered.Client.Version);

        var disabled = await grain.DisableAsync(Admin);
        Assert.False(disabled.Enabled);
        Assert.Equal(1, disabled.Version);
        Assert.Equal(ClientAuthenticationResult.Disabled, (await grain.AuthenticateAsync(registered.ClientSecret, "10.0.0.1")).Result);
        Assert.Equal(1, (await grain.DisableAsync(Admin)).Version); // disabling again changes nothing
    }

    [Fact]
    public async Task RotateSecretAsync_ReturnsANewSecret_TheOldOneFails_AndTheVersionMoves()
    {
        var grain = fixture.Client.GetGrain<IClientGrain>($"c-{Guid.NewGuid():N}");
        var registered = await grain.RegisterAsync(new RegisterClient("x", Roles.Sync, null, "230100"), Admin);

        var rotated = await grain.RotateSecretAsync(Admin);
        Assert.NotEqual(registered.ClientSecret, rotated.ClientSecret);
        Assert.Equal(1, rotated.Client.Version);
        Assert.Equal(ClientAuthenticationResult.WrongSecret, (await grain.AuthenticateAsync(registered.ClientSecret, "10.0.0.1")).Result);
        var ok = await grain.AuthenticateAsync(rotated.ClientSecret, "10.0.0.1");
        Assert.Equal(ClientAuthenticationResult.Succeeded, ok.Result);
        Assert.Equal(1, ok.Client!.Version);
    }

    [Fact]
    public async Task RotateAndDisable_ByNonAdmin_AreForbidden_OfUnknownClient_NotFound_AndRotatingADisabledClient_IsConflict()
    {
        var grain = fixture.Client.GetGrain<IClientGrain>($"c-{Guid.NewGuid():N}");
        Assert.Equal("client.not_found", (await Assert.ThrowsAsync<DomainException>(() => grain.RotateSecretAsync(Admin))).Code);
        Assert.Equal("client.not_found", (await Assert.ThrowsAsync<DomainException>(() => grain.DisableAsync(Admin))).Code);

        await grain.RegisterAsync(new RegisterClient("x", Roles.Sync, null, "230100"), Admin);
        var issuer = Admin with { Role = Roles.Issuer };
        Assert.Equal("client.forbidden", (await Assert.ThrowsAsync<DomainException>(() => grain.RotateSecretAsync(issuer))).Code);
        Assert.Equal("client.forbidden", (await Assert.ThrowsAsync<DomainException>(() => grain.DisableAsync(issuer))).Code);

        await grain.DisableAsync(Admin);
        Assert.Equal("client.disabled", (await Assert.ThrowsAsync<DomainException>(() => grain.RotateSecretAsync(Admin))).Code);
    }

    [Fact]
    public async Task CredentialLockout_AfterRepeatedFailures_RefusesTheRightSecretFromThatAddress_ButNotFromAnother()
    {
        var grain = fixture.Client.GetGrain<ICredentialLockoutGrain>($"bootstrap-{Guid.NewGuid():N}");
        for (var i = 0; i < 4; i++)
        {
            var wrong = await grain.AttemptAsync(false, "10.0.0.66");
            Assert.Equal(ClientAuthenticationResult.WrongSecret, wrong.Result);
            Assert.Null(wrong.LockedUntil);
        }

        Assert.NotNull((await grain.AttemptAsync(false, "10.0.0.66")).LockedUntil);
        var locked = await grain.AttemptAsync(true, "10.0.0.66");
        Assert.Equal(ClientAuthenticationResult.LockedOut, locked.Result);
        Assert.True(locked.LockedUntil > TestCalendar.Clock.GetUtcNow());
        Assert.Equal(ClientAuthenticationResult.Succeeded, (await grain.AttemptAsync(true, "10.0.0.1")).Result);
    }
}
