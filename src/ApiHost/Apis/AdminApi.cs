using OrleansLicenses.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using System.Security.Claims;
using Npgsql;
using OrleansLicenses.ApiHost.Auth;
using OrleansLicenses.ApiHost.Infrastructure;
using OrleansLicenses.Catalog;
using OrleansLicenses.Holders;
using OrleansLicenses.Identifiers;
using OrleansLicenses.Licenses;
using OrleansLicenses.Units;

namespace OrleansLicenses.ApiHost.Apis;

/// <summary>Operator inspection: live grain state (personal id numbers masked) and read-model statistics.</summary>
public static class AdminApi
{
    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/admin").WithTags("Administration").RequireAuthorization(Policies.Admin);
        group.MapGet("/grains/{kind}/{key}", Inspect).WithName("InspectGrain")
            .WithSummary("Live state of a license, holder, unit, type or correction grain (natural-person id numbers masked).");
        group.MapGet("/stats", Stats).WithName("GetStatistics").WithSummary("Licence counts by status, type, issuer and region; correction requests per issuer (open, overdue, resolved, mean time to resolve).");
        return app;
    }

    public static async Task<Results<Ok<object>, ProblemHttpResult, ValidationProblem>> Inspect(string kind, string key, IClusterClient cluster, ClaimsPrincipal user, HttpContext http,
        LegacyIdentifiers legacy)
    {
        var caller = user.ToCaller(http);
        object? state;
        switch (kind)
        {
            case "license":
                var errors = new FieldErrors();
                var (number, _) = await LicenseRequests.ResolveIdAsync(key, errors, legacy);
                if (errors.Any)
                {
                    return errors.ToProblem();
                }

                state = await cluster.Get<ILicenseGrain>(number!.ToString()).InspectAsync(caller) is { } license ? PersonalData.Mask(license) : null;
                break;
            case "holder":
                if (!(key.StartsWith("111:", StringComparison.Ordinal) || key.StartsWith("001:", StringComparison.Ordinal)) || key.Length > 22)
                {
                    return new FieldErrors().Add("key", "a holder key is 111:<citizen id> or 001:<credit code>").ToProblem();
                }

                var entries = await cluster.Get<IHolderGrain>(key).InspectAsync(caller);
                state = entries.Count == 0 ? null : new { holder = PersonalData.MaskText(key), licenses = entries };
                break;
            case "unit":
                if (!CreditCode.TryValidate(key, out var unitError))
                {
                    return new FieldErrors().Add("key", unitError).ToProblem();
                }

                state = await cluster.Get<IUnitGrain>(key).InspectAsync(caller);
                break;
            case "type":
                if (!LicenseIdentifier.TryValidateTypeCode(key, out var typeError))
                {
                    return new FieldErrors().Add("key", typeError).ToProblem();
                }

                state = await cluster.Get<ILicenseTypeGrain>(key).InspectAsync(caller);
                break;
            case "correction":
                state = Guid.TryParse(key, out var correctionId)
                    && await cluster.GetGrain<Corrections.ICorrectionGrain>(correctionId.ToString()).InspectAsync(caller) is { } correction
                    ? correction with { Fields = correction.Fields.ToDictionary(f => f.Key, f => PersonalData.MaskText(f.Value), StringComparer.Ordinal) }
                    : null;
                break;
            default:
                return new FieldErrors().Add("kind", "must be one of license, holder, unit, type, correction").ToProblem();
        }

        return state is null ? Problems.NotFound("No such grain state.") : TypedResults.Ok(state);
    }

    public sealed record Statistics(long Total, IReadOnlyDictionary<string, long> ByStatus, IReadOnlyDictionary<string, long> ByType,
        IReadOnlyDictionary<string, long> ByIssuer, IReadOnlyDictionary<string, long> ByRegion,
        IReadOnlyDictionary<string, CorrectionQueries.IssuerCorrections> CorrectionsByIssuer);

    public static async Task<Ok<Statistics>> Stats(NpgsqlDataSource db, TimeProvider time)
    {
        await using var cmd = db.CreateCommand($"""
            SELECT 'status', {LicenseQueries.EffectiveStatus}, count(*) FROM licenses GROUP BY 2
            UNION ALL SELECT 'type', type_code, count(*) FROM licenses GROUP BY 2
            UNION ALL SELECT 'issuer', issuer_code, count(*) FROM licenses GROUP BY 2
            UNION ALL SELECT 'region', region_code, count(*) FROM licenses GROUP BY 2
            """);
        cmd.Parameters.AddWithValue(PlatformClock.Today(time));
        var groups = new Dictionary<string, Dictionary<string, long>>
        {
            ["status"] = [], ["type"] = [], ["issuer"] = [], ["region"] = [],
        };
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            groups[reader.GetString(0)][reader.GetString(1)] = reader.GetInt64(2);
        }

        await reader.DisposeAsync();
        var corrections = await CorrectionQueries.StatsAsync(db, time);
        return TypedResults.Ok(new Statistics(groups["status"].Values.Sum(), groups["status"], groups["type"], groups["issuer"], groups["region"], corrections));
    }
}
