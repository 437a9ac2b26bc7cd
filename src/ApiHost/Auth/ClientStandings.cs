using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using OrleansLicenses.Clients;

namespace OrleansLicenses.ApiHost.Auth;

/// <summary>
/// Whether a platform token's client still stands: registered, enabled, and at the version the token was minted under
/// (disabling a client or rotating its secret bumps the version, so its tokens stop working). Every authenticated
/// request with a platform token asks; the answer comes from the client grain and is kept in this API host for at most
/// <see cref="AuthSettings.ClientStandingCacheSeconds"/> seconds (never more than <see cref="MaxCacheSeconds"/>).
/// <para>
/// Staleness bound: a disable or rotation made through this host forgets its entry here, so on this host the old tokens
/// stop at once. Another API host of the deployment may still accept them until its own entry expires: for at most
/// <see cref="MaxCacheSeconds"/> seconds (the configured value, 0 = ask the grain on every request, no staleness).
/// </para>
/// The bootstrap administrator has no client grain: its tokens carry version 0 and stand while the configuration
/// still holds that bootstrap administrator.
/// </summary>
public sealed class ClientStandings(IClusterClient cluster, IOptions<AuthSettings> auth, IOptions<BootstrapSettings> bootstrap, TimeProvider time)
{
    public const int MaxCacheSeconds = 5;

    private readonly ConcurrentDictionary<string, Standing> standings = new(StringComparer.Ordinal);

    private sealed record Standing(bool Enabled, int Version, DateTimeOffset FetchedAt);

    /// <summary>The platform scheme's <c>OnTokenValidated</c>: refuses a token without a <c>jti</c> or whose client no longer stands.</summary>
    public static async Task CheckAsync(TokenValidatedContext context)
    {
        var user = context.Principal;
        var clientId = user?.FindFirst(ClaimNames.ClientId)?.Value;
        var standings = context.HttpContext.RequestServices.GetRequiredService<ClientStandings>();
        if (clientId is null || user!.FindFirst(JwtRegisteredClaimNames.Jti) is null
            || !await standings.IsCurrentAsync(clientId, user.FindFirst(ClaimNames.ClientVersion)?.Value))
        {
            context.Fail("The token's client is unknown or disabled, or its secret was rotated after the token was issued.");
        }
    }

    public bool IsBootstrapAdmin(string clientId) =>
        !string.IsNullOrEmpty(bootstrap.Value.AdminClientSecret) && string.Equals(clientId, bootstrap.Value.AdminClientId, StringComparison.Ordinal);

    public async ValueTask<bool> IsCurrentAsync(string clientId, string? version)
    {
        if (!int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var presented))
        {
            return false;
        }

        if (IsBootstrapAdmin(clientId))
        {
            return presented == 0;
        }

        var now = time.GetUtcNow();
        var ttl = TimeSpan.FromSeconds(Math.Clamp(auth.Value.ClientStandingCacheSeconds, 0, MaxCacheSeconds));
        if (!standings.TryGetValue(clientId, out var standing) || now - standing.FetchedAt >= ttl || now < standing.FetchedAt)
        {
            var view = await cluster.GetGrain<IClientGrain>(clientId).GetAsync();
            standing = new Standing(view?.Enabled == true, view?.Version ?? -1, now);
            if (ttl > TimeSpan.Zero)
            {
                standings[clientId] = standing;
            }
        }

        return standing.Enabled && standing.Version == presented;
    }

    /// <summary>Drops what this host knows of the client, after a disable or rotation made through it.</summary>
    public void Forget(string clientId) => standings.TryRemove(clientId, out _);
}
