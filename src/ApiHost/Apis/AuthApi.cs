using System.Text.Json.Serialization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using OrleansLicenses.Access;
using OrleansLicenses.ApiHost.Audit;
using OrleansLicenses.ApiHost.Auth;
using OrleansLicenses.ApiHost.Infrastructure;
using OrleansLicenses.Clients;
using OrleansLicenses.Identifiers;
using OrleansLicenses.Licenses;

namespace OrleansLicenses.ApiHost.Apis;

/// <summary>Token endpoints: the client-credentials grant for system clients, and the Development-only holder token mint.</summary>
public static class AuthApi
{
    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder app, IHostEnvironment environment)
    {
        var group = app.MapGroup("/api/auth").WithTags("Authentication");
        group.MapPost("/token", IssueToken)
            .WithName("IssueToken")
            .WithSummary("Client-credentials grant (RFC 6749 §4.4) for registered system clients.")
            .Accepts<TokenForm>("application/x-www-form-urlencoded")
            .AllowAnonymous()
            .RequireRateLimiting(RateLimits.Token)
            .RequireTokenConcurrencyLimit()
            .DisableAntiforgery();

        // Development only (HolderTrust refuses to start such a host next to a real holder key or off loopback), for
        // loopback callers only, rate limited, and every mint is audited (the holder it minted, masked).
        if (environment.IsDevelopment())
        {
            app.MapPost("/api/dev/holder-tokens", MintHolderToken)
                .WithTags("Development")
                .WithName("MintHolderToken")
                .WithSummary("Development only: mints a holder token as the real-name identity platform would.")
                .AllowAnonymous()
                .RequireRateLimiting(RateLimits.DevMint)
                .WithAuditScope(AuditScope.Read)
                .ExcludeFromDescription(); // not part of the contract: integrators never see it, clients never generate it
        }

        return app;
    }

    public static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> IssueToken(
        HttpRequest request, IClusterClient cluster, TokenIssuer tokens, IOptions<BootstrapSettings> bootstrap, TimeProvider time)
    {
        if (!request.HasFormContentType)
        {
            return OAuthError(StatusCodes.Status415UnsupportedMediaType, "invalid_request", "Send application/x-www-form-urlencoded.");
        }

        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync();
        }
        catch (InvalidDataException)
        {
            return OAuthError(StatusCodes.Status400BadRequest, "invalid_request", "The form body could not be read.");
        }

        if (form["grant_type"] != "client_credentials")
        {
            return OAuthError(StatusCodes.Status400BadRequest, "unsupported_grant_type", "Only grant_type=client_credentials is supported.");
        }

        var (clientId, secret) = ReadCredentials(request, form);
        if (string.IsNullOrEmpty(clientId) || string.IsNullOrEmpty(secret) || clientId.Length > 64 || secret.Length > 256
            || clientId.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
        {
            return OAuthError(StatusCodes.Status401Unauthorized, "invalid_client", "Client authentication failed.");
        }

        // The peer's address, or the client's as a configured proxy forwarded it (TrustedProxies), never a header's say-so.
        var address = request.HttpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var admin = bootstrap.Value;
        ClientAuthentication result;
        if (clientId == admin.AdminClientId && !string.IsNullOrEmpty(admin.AdminClientSecret))
        {
            // The bootstrap administrator is locked out like every client, by counters all API hosts share.
            result = await cluster.GetGrain<ICredentialLockoutGrain>(clientId).AttemptAsync(SecretsEqual(secret, admin.AdminClientSecret), address);
            if (result.Result == ClientAuthenticationResult.Succeeded)
            {
                return TypedResults.Ok(tokens.ForClient(clientId, Roles.Admin, null, null, version: 0));
            }
        }
        else
        {
            result = await cluster.GetGrain<IClientGrain>(clientId).AuthenticateAsync(secret, address);
            if (result is { Result: ClientAuthenticationResult.Succeeded, Client: { } client })
            {
                return TypedResults.Ok(tokens.ForClient(client.ClientId, client.Role, client.UnitCode, client.RegionCode, client.Version));
            }
        }

        if (result.LockedUntil is { } until)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling((until - time.GetUtcNow()).TotalSeconds));
            request.HttpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        // Unknown, wrong, disabled and locked clients get the same answer, so ids cannot be probed.
        return OAuthError(StatusCodes.Status401Unauthorized, "invalid_client", "Client authentication failed.");
    }

    /// <summary>
    /// The form the token endpoint reads (RFC 6749 §4.4.2), as the document describes it; the handler reads the form
    /// itself, so that the client may instead authenticate with HTTP Basic (§2.3.1) and leave the credentials out.
    /// </summary>
    public sealed record TokenForm(
        [property: JsonPropertyName("grant_type")] string GrantType,
        [property: JsonPropertyName("client_id")] string? ClientId,
        [property: JsonPropertyName("client_secret")] string? ClientSecret);

    public sealed record HolderTokenRequest(string? IdType, string? IdNumber, string? Name);

    public static Results<Ok<TokenResponse>, ValidationProblem, ProblemHttpResult> MintHolderToken(
        HolderTokenRequest body, HttpContext http, TokenIssuer tokens, TimeProvider time)
    {
        if (!HolderTrust.IsLocal(http))
        {
            return Problems.NotFound("No such endpoint.");
        }

        var errors = new FieldErrors();
        if (errors.Required("idType", body.IdType) && body.IdType is not ("111" or "001"))
        {
            errors.Add("idType", "must be 111 (citizen id number) or 001 (unified social credit code)");
        }

        // A citizen id's birth date is a China date: born "today" is valid from 00:00 China time, not 08:00.
        var today = PlatformClock.Today(time);
        if (body.IdType == "111")
        {
            errors.Check("idNumber", body.IdNumber, (string? v, out string? e) => CitizenId.TryValidate(v, today, out e));
        }
        else if (body.IdType == "001")
        {
            errors.Check("idNumber", body.IdNumber, CreditCode.TryValidate);
        }

        errors.Required("name", body.Name);
        errors.MaxLength("name", body.Name, 100);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        http.SetAuditResource($"/api/dev/holder-tokens?holder={AuditEntryFactory.MaskSubject($"{body.IdType}:{body.IdNumber}")}");
        return TypedResults.Ok(tokens.ForHolder(body.IdType!, body.IdNumber!, body.Name!));
    }

    private static (string? Id, string? Secret) ReadCredentials(HttpRequest request, IFormCollection form)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
                var colon = decoded.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0)
                {
                    return (Uri.UnescapeDataString(decoded[..colon]), Uri.UnescapeDataString(decoded[(colon + 1)..]));
                }
            }
            catch (FormatException)
            {
                return (null, null);
            }
        }

        return (form["client_id"].ToString(), form["client_secret"].ToString());
    }

    private static bool SecretsEqual(string presented, string expected) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));

    private static ProblemHttpResult OAuthError(int status, string error, string description) =>
        TypedResults.Problem(statusCode: status, title: description, extensions: new Dictionary<string, object?>
        {
            ["error"] = error,
            ["error_description"] = description,
        });
}
