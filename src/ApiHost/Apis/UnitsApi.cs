using OrleansLicenses.Hosting;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using OrleansLicenses.ApiHost.Auth;
using OrleansLicenses.ApiHost.Infrastructure;
using OrleansLicenses.Identifiers;
using OrleansLicenses.Units;

namespace OrleansLicenses.ApiHost.Apis;

/// <summary>Units in the region hierarchy, with their issuable types, business scope and signing keys.</summary>
public static class UnitsApi
{
    public static IEndpointRouteBuilder MapUnitsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/units").WithTags("Units").RequireAuthorization(Policies.Admin);
        group.MapPut("/{unitCode}", Define).WithName("DefineUnit").WithSummary("Creates or changes a unit; an issuing unit gets a certified SM2 key.");
        group.MapGet("/{unitCode}", Get).WithName("GetUnit").WithSummary("A unit with its certificates.");
        group.MapPost("/{unitCode}/keys/rotate", Rotate).WithName("RotateUnitKey").WithSummary("Replaces the unit's signing key; old certificates stay published.");

        app.MapGet("/api/public/keys", PublicKeys).WithTags("Public").AllowAnonymous()
            .WithName("GetPublicKeys").WithSummary("The platform root certificate and every unit certificate (DER, base64).");
        return app;
    }

    public static async Task<Results<Ok<UnitView>, ValidationProblem>> Define(
        string unitCode, UnitDefinition body, ClaimsPrincipal user, HttpContext http, IClusterClient cluster)
    {
        // Orleans refuses a blank grain key outright (ArgumentException, a 500); any other malformed code is the grain's to refuse.
        if (string.IsNullOrWhiteSpace(unitCode))
        {
            return new FieldErrors().Add("unitCode", CreditCode.TryValidate(unitCode, out var blank) ? "is required" : blank).ToProblem();
        }

        var definition = body with
        {
            Status = body.Status ?? "active",
            IssuableTypes = body.IssuableTypes ?? [],
            Scope = body.Scope ?? [],
        };
        // Every rule of a definition (codes, levels, regions, parent, issuable types) is the unit grain's; it answers
        // every broken one at once.
        return TypedResults.Ok(await cluster.Get<IUnitGrain>(unitCode).DefineAsync(definition, user.ToCaller(http)));
    }

    public static async Task<Results<Ok<UnitView>, ProblemHttpResult, ValidationProblem>> Get(string unitCode, IClusterClient cluster)
    {
        // A malformed code is a 400 naming the path segment; a well-formed one nobody defined is a 404.
        if (!CreditCode.TryValidate(unitCode, out var error))
        {
            return new FieldErrors().Add("unitCode", error).ToProblem();
        }

        var view = await cluster.Get<IUnitGrain>(unitCode).GetAsync();
        return view is null ? Problems.NotFound("No such unit.") : TypedResults.Ok(view);
    }

    public static async Task<Results<Ok<UnitView>, ProblemHttpResult, ValidationProblem>> Rotate(string unitCode, ClaimsPrincipal user, HttpContext http, IClusterClient cluster)
    {
        if (!CreditCode.TryValidate(unitCode, out var error))
        {
            return new FieldErrors().Add("unitCode", error).ToProblem();
        }

        return TypedResults.Ok(await cluster.Get<IUnitGrain>(unitCode).RotateKeyAsync(user.ToCaller(http)));
    }

    public sealed record PublishedCertificate(string Kind, string? UnitCode, string SerialNumber, string Certificate,
        DateTimeOffset NotBefore, DateTimeOffset NotAfter, bool Current);

    public sealed record PublicKeysResponse(string Algorithm, string UserId, IReadOnlyList<PublishedCertificate> Root, IReadOnlyList<PublishedCertificate> Units);

    public static async Task<Results<Ok<PublicKeysResponse>, ValidationProblem>> PublicKeys(string? unitCode, IClusterClient cluster, NpgsqlDataSource db)
    {
        if (unitCode is not null && !CreditCode.TryValidate(unitCode, out var error))
        {
            return new FieldErrors().Add("unitCode", error).ToProblem();
        }

        // Make sure the root exists (first start) before reading the published table.
        await cluster.GetGrain<ICertificateAuthorityGrain>("root").GetRootCertificateAsync();
        await using var cmd = db.CreateCommand("""
            SELECT kind, unit_code, serial_number, certificate, not_before, not_after, is_current
            FROM published_certificates
            WHERE kind = 'root' OR $1::text IS NULL OR unit_code = $1
            ORDER BY kind DESC, unit_code, not_before
            """);
        cmd.Parameters.AddWithValue(NpgsqlTypes.NpgsqlDbType.Text, (object?)unitCode ?? DBNull.Value);
        var all = new List<PublishedCertificate>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            all.Add(new PublishedCertificate(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(2),
                Convert.ToBase64String(reader.GetFieldValue<byte[]>(3)), reader.GetFieldValue<DateTimeOffset>(4),
                reader.GetFieldValue<DateTimeOffset>(5), reader.GetBoolean(6)));
        }

        return TypedResults.Ok(new PublicKeysResponse("SM2-SM3", "1234567812345678",
            all.Where(c => c.Kind == "root").ToList(), all.Where(c => c.Kind == "unit").ToList()));
    }
}
