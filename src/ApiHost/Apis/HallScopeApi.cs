using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using OrleansLicenses.ApiHost.Auth;
using OrleansLicenses.ApiHost.Infrastructure;

namespace OrleansLicenses.ApiHost.Apis;

/// <summary>
/// The calling hall's own business scope (业务范围): its matters and the licence types each maps to, so a hall's
/// system or page can offer the matters it may state instead of asking the officer to type codes. From the units
/// read model; a verifier sees its own unit only.
/// </summary>
public static class HallScopeApi
{
    public static IEndpointRouteBuilder MapHallScopeApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/verifications/matters", Matters).WithTags("Verification").RequireAuthorization(Policies.Verifier)
            .WithName("ListHallMatters").WithSummary("The calling hall's unit, its matters and the licence types (with names) each maps to.");
        return app;
    }

    public sealed record HallType(string TypeCode, string Name);

    public sealed record HallMatter(string MatterCode, string MatterName, IReadOnlyList<HallType> LicenseTypes);

    public sealed record HallScope(string UnitCode, string UnitName, IReadOnlyList<HallMatter> Matters);

    public static async Task<Results<Ok<HallScope>, ProblemHttpResult>> Matters(ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db)
    {
        var unitCode = user.ToCaller(http).UnitCode;
        if (unitCode is null)
        {
            return Problems.NotFound("No unit.");
        }

        await using var cmd = db.CreateCommand("""
            SELECT u.name, m.value->>'matterCode', m.value->>'matterName', t.value #>> '{}', coalesce(c.name, '')
            FROM units u
            LEFT JOIN LATERAL jsonb_array_elements(u.definition->'definition'->'scope') WITH ORDINALITY m ON true
            LEFT JOIN LATERAL jsonb_array_elements(m.value->'licenseTypes') WITH ORDINALITY t ON true
            LEFT JOIN catalog_types c ON c.type_code = t.value #>> '{}'
            WHERE u.unit_code = $1
            ORDER BY m.ordinality, t.ordinality
            """);
        cmd.Parameters.AddWithValue(unitCode);
        await using var reader = await cmd.ExecuteReaderAsync(http.RequestAborted);
        string? unitName = null;
        var matters = new List<(string Code, string Name, List<HallType> Types)>();
        while (await reader.ReadAsync(http.RequestAborted))
        {
            unitName = reader.GetString(0);
            if (reader.IsDBNull(1))
            {
                continue;
            }

            var code = reader.GetString(1);
            if (matters.Count == 0 || matters[^1].Code != code)
            {
                matters.Add((code, reader.IsDBNull(2) ? code : reader.GetString(2), []));
            }

            if (!reader.IsDBNull(3))
            {
                matters[^1].Types.Add(new HallType(reader.GetString(3), reader.GetString(4)));
            }
        }

        return unitName is null
            ? Problems.NotFound("No such unit.")
            : TypedResults.Ok(new HallScope(unitCode, unitName, [.. matters.Select(m => new HallMatter(m.Code, m.Name, m.Types))]));
    }
}
