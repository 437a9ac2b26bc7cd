using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using NpgsqlTypes;
using OrleansLicenses.ApiHost.Infrastructure;

namespace OrleansLicenses.ApiHost.Apis;

/// <summary>
/// Denied requests for the operator (<c>GET /api/admin/audit/denials</c>): the aggregated 401/403/429 counts of
/// <c>access_denials</c> (deploy/sql/0022) summed per client network, status, actor and action over a time window,
/// largest first — who is knocking, at what, how often. The rows hold networks and masked actors only, no
/// personal data; the query itself is audited as every admin read is.
/// </summary>
public static class DenialQueries
{
    private static readonly int[] Statuses = [0, 401, 403, 429];

    public sealed record DenialView(string Client, int Status, string Actor, string Action, long Count, DateTimeOffset FirstMinute, DateTimeOffset LastMinute);

    public static async Task<Results<Ok<PagedResult<DenialView>>, ValidationProblem>> List(
        string? from, string? to, string? client, int? status, int? page, int? pageSize, NpgsqlDataSource db)
    {
        var errors = new FieldErrors();
        var since = AuditApi.Time(errors, "from", from);
        var until = AuditApi.Time(errors, "to", to);
        if (since is { } s && until is { } u && u < s)
        {
            errors.Add("to", "must not be before from");
        }

        errors.MaxLength("client", client, 64);
        if (status is { } st && !Statuses.Contains(st))
        {
            errors.Add("status", "must be 401, 403, 429 or 0 (dropped)");
        }

        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var paging = Paging.From(page, pageSize);
        await using var cmd = db.CreateCommand("""
            SELECT client, status, actor, action, sum(count)::bigint AS n, min(minute), max(minute), count(*) OVER ()
            FROM access_denials
            WHERE ($1::timestamptz IS NULL OR minute >= date_trunc('minute', $1)) AND ($2::timestamptz IS NULL OR minute < $2)
              AND ($3::text IS NULL OR client = $3) AND ($4::integer IS NULL OR status = $4)
            GROUP BY client, status, actor, action
            ORDER BY n DESC, client, status, actor, action
            LIMIT $5 OFFSET $6
            """);
        cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.TimestampTz, Value = (object?)since ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.TimestampTz, Value = (object?)until ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)client ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Integer, Value = (object?)status ?? DBNull.Value });
        cmd.Parameters.AddWithValue(paging.PageSize);
        cmd.Parameters.AddWithValue(paging.Offset);
        return TypedResults.Ok(await paging.ReadAsync(cmd, r => new DenialView(
            r.GetString(0), r.GetInt32(1), r.GetString(2), r.GetString(3), r.GetInt64(4),
            r.GetFieldValue<DateTimeOffset>(5), r.GetFieldValue<DateTimeOffset>(6))));
    }
}
