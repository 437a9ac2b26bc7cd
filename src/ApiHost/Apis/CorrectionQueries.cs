using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using OrleansLicenses.Access;
using OrleansLicenses.ApiHost.Auth;
using OrleansLicenses.ApiHost.Infrastructure;
using OrleansLicenses.Corrections;

namespace OrleansLicenses.ApiHost.Apis;

/// <summary>Correction lists and statistics from the <c>corrections</c> read model; overdue is evaluated with the host's clock.</summary>
public static class CorrectionQueries
{
    public const string ViewMine = "mine";
    public const string ViewIssuer = "issuer";
    public const string ViewOperator = "operator";
    public const string StatusOverdue = "overdue";

    public sealed record CorrectionSummary(string Id, string LicenseId, string IssuerCode, string Cause, string Status, string Stage,
        DateTimeOffset? DueAt, bool Overdue, bool Forwarded, string? Outcome, int Escalations, DateTimeOffset CreatedAt, DateTimeOffset? ResolvedAt);

    public static async Task<Results<Ok<PagedResult<CorrectionSummary>>, ValidationProblem>> List(
        string? status, string? view, int? page, int? pageSize, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db, TimeProvider time)
    {
        var caller = user.ToCaller(http);
        var errors = new FieldErrors();
        if (status is not null and not (CorrectionNames.StatusOpen or CorrectionNames.StatusResolved or StatusOverdue))
        {
            errors.Add("status", "must be one of open, resolved, overdue");
        }

        view ??= caller.Role switch { Roles.Issuer => ViewIssuer, Roles.Admin => null, _ => ViewMine };
        string? requester = null, issuer = null;
        var forwardedOnly = false;
        switch (view)
        {
            case null:
                break;
            case ViewMine:
                requester = Recipients.Of(caller) ?? "";
                break;
            case ViewIssuer when caller.Role == Roles.Issuer:
                issuer = caller.UnitCode ?? "";
                break;
            case ViewIssuer when caller.IsAdmin:
                break;
            case ViewOperator when caller.IsAdmin:
                forwardedOnly = true;
                break;
            case ViewIssuer or ViewOperator:
                errors.Add("view", $"the {view} view is not open to the {caller.Role} role");
                break;
            default:
                errors.Add("view", "must be one of mine, issuer, operator");
                break;
        }

        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var paging = Paging.From(page, pageSize);
        await using var cmd = db.CreateCommand("""
            SELECT correction_id, license_id, issuer_code, cause, status, stage, due_at, status = 'open' AND due_at < $5 AS overdue,
                   forwarded, outcome, escalations, created_at, resolved_at, count(*) OVER ()
            FROM corrections
            WHERE ($1::text IS NULL OR requester = $1) AND ($2::text IS NULL OR issuer_code = $2) AND (NOT $3 OR forwarded)
              AND ($4::text IS NULL OR ($4 = 'overdue' AND status = 'open' AND due_at < $5) OR status = $4)
            ORDER BY created_at DESC, correction_id LIMIT $6 OFFSET $7
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)requester ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)issuer ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        cmd.Parameters.AddWithValue(forwardedOnly);
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)status ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        cmd.Parameters.AddWithValue(time.GetUtcNow());
        cmd.Parameters.AddWithValue(paging.PageSize);
        cmd.Parameters.AddWithValue(paging.Offset);
        return TypedResults.Ok(await paging.ReadAsync(cmd, reader =>
        {
            return new CorrectionSummary(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6), !reader.IsDBNull(7) && reader.GetBoolean(7),
                reader.GetBoolean(8), reader.IsDBNull(9) ? null : reader.GetString(9), reader.GetInt32(10), reader.GetFieldValue<DateTimeOffset>(11),
                reader.IsDBNull(12) ? null : reader.GetFieldValue<DateTimeOffset>(12));
        }));
    }

    /// <summary>Per issuing unit: open, overdue and resolved requests, and the mean time from filing to resolution.</summary>
    public sealed record IssuerCorrections(long Open, long Overdue, long Resolved, double? MeanHoursToResolve);

    public static async Task<IReadOnlyDictionary<string, IssuerCorrections>> StatsAsync(NpgsqlDataSource db, TimeProvider time)
    {
        await using var cmd = db.CreateCommand("""
            SELECT issuer_code,
                   count(*) FILTER (WHERE status = 'open'),
                   count(*) FILTER (WHERE status = 'open' AND due_at < $1),
                   count(*) FILTER (WHERE status = 'resolved'),
                   avg(extract(epoch FROM resolved_at - created_at) / 3600.0) FILTER (WHERE status = 'resolved')
            FROM corrections GROUP BY issuer_code ORDER BY issuer_code
            """);
        cmd.Parameters.AddWithValue(time.GetUtcNow());
        var result = new Dictionary<string, IssuerCorrections>(StringComparer.Ordinal);
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            result[reader.GetString(0)] = new IssuerCorrections(reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3),
                reader.IsDBNull(4) ? null : Math.Round((double)reader.GetDecimal(4), 2));
        }

        return result;
    }
}
