using System.Security.Claims;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using OrleansLicenses.Access;
using OrleansLicenses.ApiHost.Auth;
using OrleansLicenses.ApiHost.Infrastructure;
using OrleansLicenses.Clients;
using OrleansLicenses.Identifiers;

namespace OrleansLicenses.ApiHost.Apis;

/// <summary>Registration of system clients by administrators.</summary>
public static partial class ClientsApi
{
    public static IEndpointRouteBuilder MapClientsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/clients").WithTags("Clients").RequireAuthorization(Policies.Admin);
        group.MapPost("/", Register).WithIdempotencyKey(secretMembers: "clientSecret").WithName("RegisterClient").WithSummary("Registers a system client; the secret is shown once.");
        group.MapGet("/{clientId}", Get).WithName("GetClient").WithSummary("A registered client (never its secret).");
        return app;
    }

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
        else if (body.RegionCode is not null && body.Role != Roles.Admin)
        {
            errors.Add("regionCode", "only sync and admin clients are bound to a region");
        }
        else if (body.RegionCode is not null)
        {
            errors.Check("regionCode", body.RegionCode, Regions.TryValidate);
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
        var view = ClientIdPattern().IsMatch(clientId) || clientId == "admin" ? await cluster.GetGrain<IClientGrain>(clientId).GetAsync() : null;
        return view is null ? Problems.NotFound("No such client.") : TypedResults.Ok(view);
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{2,63}$")]
    private static partial Regex ClientIdPattern();
}
