using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using OrleansLicenses.Access;
using OrleansLicenses.ApiHost.Auth;
using OrleansLicenses.ApiHost.Infrastructure;

namespace OrleansLicenses.ApiHost.Apis;

/// <summary>Read-model queries of a unit's webhook deliveries (the outbox rows, with their last result).</summary>
public static class WebhookQueries
{
    private static readonly string[] Statuses = ["pending", "delivered", "failed", "cancelled"];

    public sealed record Delivery(string Id, string CorrectionId, string Kind, string Status, int Attempts, int? LastStatus, string? LastError,
        DateTimeOffset CreatedAt, DateTimeOffset? NextAttemptAt, DateTimeOffset? CompletedAt);

    /// <summary>
    /// 400 for a malformed unit code; 404 unless the caller is an admin (and the unit is defined) or one of the unit's own
    /// issuer and verifier clients; null when the caller may go on.
    /// </summary>
    public static async Task<IResult?> CheckUnitAsync(string unitCode, Caller caller, NpgsqlDataSource db)
    {
        if (!Identifiers.CreditCode.TryValidate(unitCode, out var error))
        {
            return new FieldErrors().Add("unitCode", error).ToProblem();
        }

        var own = caller.Role is Roles.Issuer or Roles.Verifier && caller.UnitCode == unitCode;
        return (caller.IsAdmin && await NotificationsApi.UnitExistsAsync(db, unitCode)) || own ? null : Problems.NotFound("No such unit.");
    }

    public static async Task<Results<Ok<PagedResult<Delivery>>, ProblemHttpResult, ValidationProblem>> Deliveries(
        string unitCode, string? status, int? page, int? pageSize, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db)
    {
        if (status is not null && !Statuses.Contains(status))
        {
            return new FieldErrors().Add("status", $"must be one of {string.Join(", ", Statuses)}").ToProblem();
        }

        switch (await CheckUnitAsync(unitCode, user.ToCaller(http), db))
        {
            case ValidationProblem invalid:
                return invalid;
            case ProblemHttpResult missing:
                return missing;
        }

        var paging = Paging.From(page, pageSize);
        await using var cmd = db.CreateCommand("""
            SELECT id, correction_id, kind, status, attempts, last_status, last_error, created_at, next_attempt_at, completed_at, count(*) OVER ()
            FROM webhook_deliveries WHERE unit_code = $1 AND ($2::text IS NULL OR status = $2)
            ORDER BY created_at DESC, id LIMIT $3 OFFSET $4
            """);
        cmd.Parameters.AddWithValue(unitCode);
        cmd.Parameters.AddWithValue(NpgsqlTypes.NpgsqlDbType.Text, (object?)status ?? DBNull.Value);
        cmd.Parameters.AddWithValue(paging.PageSize);
        cmd.Parameters.AddWithValue(paging.Offset);
        return TypedResults.Ok(await paging.ReadAsync(cmd, reader =>
        {
            var state = reader.GetString(3);
            return new Delivery(reader.GetGuid(0).ToString(), reader.GetString(1), reader.GetString(2), state, reader.GetInt32(4),
                reader.IsDBNull(5) ? null : reader.GetInt32(5), reader.IsDBNull(6) ? null : reader.GetString(6), reader.GetFieldValue<DateTimeOffset>(7),
                state == "pending" ? reader.GetFieldValue<DateTimeOffset>(8) : null, reader.IsDBNull(9) ? null : reader.GetFieldValue<DateTimeOffset>(9));
        }));
    }
}
