using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OrleansLicenses.Access;

namespace OrleansLicenses.ApiHost.Auth;

/// <summary>
/// Two bearer schemes behind one selector: tokens this platform minted for system clients, and holder tokens
/// from the real-name platform. Each has its own key and issuer, so neither key can mint the other's tokens,
/// and a holder token can never carry a system role. Platform tokens are HS256 under the platform's own key; holder
/// tokens are asymmetric only, under the real-name platform's public key (<see cref="HolderTrust"/>), and must carry
/// an <c>iat</c> no older than <c>Auth:Holder:MaxTokenAgeMinutes</c>.
/// </summary>
public static class AuthenticationSetup
{
    public const string Selector = "Bearer";
    public const string PlatformScheme = "PlatformBearer";
    public const string HolderScheme = "HolderBearer";

    public static IServiceCollection AddPlatformAuthentication(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<AuthSettings>(configuration.GetSection(AuthSettings.Section));
        services.Configure<BootstrapSettings>(configuration.GetSection(BootstrapSettings.Section));
        services.AddSingleton<TokenKeys>();
        services.AddSingleton<TokenIssuer>();
        services.AddSingleton<ClientStandings>();
        services.AddSingleton<TokenConcurrency>();

        services.AddAuthentication(Selector)
            .AddPolicyScheme(Selector, "Bearer token", o => o.ForwardDefaultSelector = SelectScheme)
            .AddJwtBearer(PlatformScheme, o => o.Events = new JwtBearerEvents { OnTokenValidated = ClientStandings.CheckAsync })
            .AddJwtBearer(HolderScheme, o => o.Events = new JwtBearerEvents());

        services.AddOptions<JwtBearerOptions>(PlatformScheme).Configure<TokenKeys, IOptions<AuthSettings>, TimeProvider>((o, keys, auth, time) =>
            Configure(o, auth.Value.Issuer, auth.Value.Audience, [keys.Platform], [SecurityAlgorithms.HmacSha256], time));
        services.AddOptions<JwtBearerOptions>(HolderScheme).Configure<TokenKeys, IOptions<AuthSettings>, TimeProvider>((o, keys, auth, time) =>
        {
            Configure(o, auth.Value.Holder.Issuer, auth.Value.Audience, keys.Holder.Keys, HolderTrust.Algorithms, time);
            var maxAge = TimeSpan.FromMinutes(auth.Value.Holder.MaxTokenAgeMinutes);
            o.Events.OnTokenValidated = context => GrantHolderRole(context, time, maxAge);
        });
        return services;

        string SelectScheme(HttpContext context)
        {
            var header = context.Request.Headers.Authorization.ToString();
            if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            {
                var handler = new JsonWebTokenHandler();
                var raw = header["Bearer ".Length..].Trim();
                if (handler.CanReadToken(raw))
                {
                    var holderIssuer = configuration[$"{AuthSettings.Section}:Holder:Issuer"] ?? new HolderTokenSettings().Issuer;
                    try
                    {
                        if (handler.ReadJsonWebToken(raw).Issuer == holderIssuer)
                        {
                            return HolderScheme;
                        }
                    }
                    catch (ArgumentException)
                    {
                        // Unreadable token: the platform scheme will reject it with 401.
                    }
                }
            }

            return PlatformScheme;
        }
    }

    private static void Configure(JwtBearerOptions o, string issuer, string audience, IEnumerable<SecurityKey> keys, IEnumerable<string> algorithms,
        TimeProvider time)
    {
        o.MapInboundClaims = false;
        o.TimeProvider = time;
        o.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = issuer,
            ValidAudience = audience,
            IssuerSigningKeys = keys,
            ValidAlgorithms = algorithms,
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            ValidateIssuerSigningKey = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ClockSkew = TimeSpan.FromSeconds(30),
            // Lifetimes are checked on the clock that minted them (TokenIssuer): the host's one TimeProvider,
            // not the handler's own DateTime.UtcNow. An expiry is required, as RequireExpirationTime says.
            LifetimeValidator = (notBefore, expires, _, parameters) =>
            {
                var now = time.GetUtcNow().UtcDateTime;
                return expires is { } end && end > now - parameters.ClockSkew
                    && (notBefore is not { } start || start <= now + parameters.ClockSkew);
            },
            NameClaimType = ClaimNames.Subject,
            RoleClaimType = ClaimNames.Role,
        };
    }

    private static Task GrantHolderRole(TokenValidatedContext context, TimeProvider time, TimeSpan maxAge)
    {
        if (context.Principal?.Identity is not ClaimsIdentity identity)
        {
            context.Fail("No identity.");
            return Task.CompletedTask;
        }

        // A stolen token is good for its age limit at most, whatever expiry its issuer gave it.
        var now = time.GetUtcNow();
        if (!long.TryParse(identity.FindFirst(JwtRegisteredClaimNames.Iat)?.Value, out var iat)
            || DateTimeOffset.FromUnixTimeSeconds(iat) is var issued && (issued > now.AddSeconds(30) || now - issued > maxAge))
        {
            context.Fail("Holder token lacks iat, or is older than the maximum token age.");
            return Task.CompletedTask;
        }

        // Whatever roles, units or regions the external token claims, a holder token makes its bearer a holder and nothing more.
        foreach (var claim in identity.Claims.Where(c => c.Type is ClaimNames.Role or ClaimNames.Unit or ClaimNames.Region or ClaimNames.ClientId).ToList())
        {
            identity.RemoveClaim(claim);
        }

        var idType = identity.FindFirst(ClaimNames.IdType)?.Value;
        var idNumber = identity.FindFirst(ClaimNames.IdNumber)?.Value;
        if (idType is null || idNumber is null)
        {
            context.Fail("Holder token lacks id_type/id_number.");
            return Task.CompletedTask;
        }

        identity.AddClaim(new Claim(ClaimNames.Role, Roles.Holder));
        return Task.CompletedTask;
    }
}
