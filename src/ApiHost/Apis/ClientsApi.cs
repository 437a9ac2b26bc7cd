using System.Security.Claims;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using OrleansLicenses.Access;
using OrleansLicenses.ApiHost.Auth;
using OrleansLicenses.ApiHost.Infrastructure;
using OrleansLicenses.Clients;
using OrleansLicenses.Errors;
using OrleansLicenses.Identifiers;

namespace OrleansLicenses.ApiHost.Apis;

/// <summary>Registration, disabling and secret rotation of system clients by administrators.</summary>
public static partial class ClientsApi
{
    public static IEndpointRouteBuilder MapClientsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/clients").WithTags("Clients").RequireAuthorization(Policies.Admin);
        group.MapPost("/", Register).WithIdempotencyKey(secretMembers: "clientSecret").WithName("RegisterClient").WithSummary("Registers a system client; the secret is shown once.");
        group.MapGet("/{clientId}", Get).WithName("GetClient").WithSummary("A registered client (never its secret).");
        group.MapPost("/{clientId}/disable", Disable).WithIdempotencyKey().WithName("DisableClient")
            .WithSummary("Disables a client: it gets no more tokens, and the tokens it holds stop working at once.");
        group.MapPost("/{clientId}/enable", Enable).WithIdempotencyKey(secretMembers: "clientSecret").WithName("EnableClient")
            .WithSummary("Enables a disabled client again with a new secret, shown once; the secret it had before never works again.");
        group.MapPost("/{clientId}/secret", RotateSecret).WithIdempotencyKey(secretMembers: "clientSecret").WithName("RotateClientSecret")
            .WithSummary("Rotates a client's secret: the new one is shown once; the old secret and the tokens issued before stop working.");
        return app;
    }

    /// <summary>A client's new secret, shown by the first answer only (a replay has it null and a <c>notice</c>), and the client's new version.</summary>
    public sealed record RotatedSecretResponse(string ClientId, string? ClientSecret, int Version, string? Notice = null);

    public sealed record RegisterClientRequest(string? ClientId, string? Name, string? Role, string? UnitCode, string? RegionCode);

    /// <summary>A registered client; <c>clientSecret</c> is shown by the first answer only (a replay has it null and a <c>notice</c>).</summary>
    public sealed record RegisterClientResponse(string ClientId, string? ClientSecret, string Name, string Role, string? UnitCode, string? RegionCode,
        string? Notice = null);

    public static async Task<Results<Created<RegisterClientResponse>, ValidationProblem>> Register(
        RegisterClientRequest body, ClaimsPrincipal user, HttpContext http, IClusterClient cluster)
    {
        var errors = new FieldErrors();
        if (body.ClientId is not null && !ClientIdPattern().IsMatch(body.ClientId))
        {
            errors.Add("clientId", "must be 3-64 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit");
        }

        errors.Required("name", body.Name);
        errors.MaxLength("name", body.Name, 100);
        if (errors.Required("role", body.Role) && !Roles.SystemRoles.Contains(body.Role))
        {
            errors.Add("role", $"must be one of {string.Join(", ", Roles.SystemRoles)}");
        }

        if (body.Role is Roles.Issuer or Roles.Verifier)
        {
            errors.Check("unitCode", body.UnitCode, CreditCode.TryValidate);
        }
        else if (body.UnitCode is not null)
        {
            errors.Add("unitCode", $"only issuer and verifier clients are bound to a unit");
        }

        if (body.Role == Roles.Sync)
        {
            errors.Check("regionCode", body.RegionCode, Regions.TryValidate);
        }
        else if (body.RegionCode is not null)
        {
            // An administrator acts for the whole library: a region on its token would suggest a bound it does not have.
            errors.Add("regionCode", body.Role == Roles.Admin ? "admin clients carry no region" : "only sync clients are bound to a region");
        }

        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var clientId = body.ClientId ?? $"c-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8))}";
        var registered = await cluster.GetGrain<IClientGrain>(clientId)
            .RegisterAsync(new RegisterClient(body.Name!, body.Role!, body.UnitCode, body.RegionCode), user.ToCaller(http));
        var c = registered.Client;
        return TypedResults.Created($"/api/clients/{c.ClientId}",
            new RegisterClientResponse(c.ClientId, registered.ClientSecret, c.Name, c.Role, c.UnitCode, c.RegionCode));
    }

    public static async Task<Results<Ok<ClientView>, ProblemHttpResult>> Get(string clientId, IClusterClient cluster)
    {
        var view = IsClientId(clientId) || clientId == "admin" ? await cluster.GetGrain<IClientGrain>(clientId).GetAsync() : null;
        return view is null ? Problems.NotFound("No such client.") : TypedResults.Ok(view);
    }

    public static async Task<Ok<ClientView>> Disable(
        string clientId, ClaimsPrincipal user, HttpContext http, IClusterClient cluster, ClientStandings standings)
    {
        var view = await Grain(cluster, clientId).DisableAsync(user.ToCaller(http));
        standings.Forget(clientId); // this host refuses the client's tokens from now; others within ClientStandings.MaxCacheSeconds
        return TypedResults.Ok(view);
    }

    public static async Task<Ok<RotatedSecretResponse>> Enable(
        string clientId, ClaimsPrincipal user, HttpContext http, IClusterClient cluster, ClientStandings standings)
    {
        var enabled = await Grain(cluster, clientId).EnableAsync(user.ToCaller(http));
        standings.Forget(clientId);
        return TypedResults.Ok(new RotatedSecretResponse(enabled.Client.ClientId, enabled.ClientSecret, enabled.Client.Version));
    }

    public static async Task<Ok<RotatedSecretResponse>> RotateSecret(
        string clientId, ClaimsPrincipal user, HttpContext http, IClusterClient cluster, ClientStandings standings)
    {
        var rotated = await Grain(cluster, clientId).RotateSecretAsync(user.ToCaller(http));
        standings.Forget(clientId);
        return TypedResults.Ok(new RotatedSecretResponse(rotated.Client.ClientId, rotated.ClientSecret, rotated.Client.Version));
    }

    private static bool IsClientId(string clientId) => ClientIdPattern().IsMatch(clientId);

    /// <summary>The client's grain; a malformed id is answered as an unknown client is (by the grain), so the two look alike.</summary>
    private static IClientGrain Grain(IClusterClient cluster, string clientId) => IsClientId(clientId)
        ? cluster.GetGrain<IClientGrain>(clientId)
        : throw DomainException.NotFound("client.not_found", "No such client.");

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{2,63}$")]
    private static partial Regex ClientIdPattern();
}
