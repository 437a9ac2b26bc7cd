using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using OrleansLicenses.ApiHost.Audit;
using OrleansLicenses.ApiHost.Auth;
using OrleansLicenses.ApiHost.Infrastructure;
using OrleansLicenses.Corrections;

namespace OrleansLicenses.ApiHost.Apis;

/// <summary>
/// Notification records of correction steps, deadlines and escalations: a holder's own, a unit's (for that unit's
/// clients), the operator's (admins). Marking one read goes to the recipient's inbox grain; the recipient always comes
/// from the token.
/// </summary>
public static class NotificationsApi
{
    public static IEndpointRouteBuilder MapNotificationsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/me/notifications", Mine).RequireAuthorization(Policies.Holder).WithTags("Holder")
            .WithName("MyNotifications").WithSummary("My notifications (correction steps), newest first.");
        app.MapGet("/api/units/{unitCode}/notifications", OfUnit).RequireAuthorization(Policies.UnitClientsOrAdmin).WithTags("Notifications")
            // Under /api/units, whose other reads carry no personal data; these do (requests about people's licences).
            .WithAuditScope(AuditScope.Read)
            .WithName("UnitNotifications").WithSummary("A unit's notifications, for that unit's clients (and admins).");
        app.MapGet("/api/admin/notifications", Operator).RequireAuthorization(Policies.Admin).WithTags("Administration")
            .WithName("OperatorNotifications").WithSummary("The library operator's notifications (forwarded requests, escalations).");
        app.MapPost("/api/notifications/{notificationId}/read", MarkRead).RequireAuthorization(Policies.CorrectionParties).WithTags("Notifications")
            .WithName("MarkNotificationRead").WithSummary("Marks one of the caller's notifications read (holder: own; unit client: its unit's; admin: the operator's).");
        return app;
    }

    public sealed record Notification(string Id, string CorrectionId, string Kind, string Stage, string Message, DateTimeOffset CreatedAt, bool Read, DateTimeOffset? ReadAt);

    public static Task<Ok<PagedResult<Notification>>> Mine(bool? unread, int? page, int? pageSize, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db) =>
        ListAsync(Recipients.Holder(user.ToCaller(http).Subject), unread, page, pageSize, db);

    public static Task<Ok<PagedResult<Notification>>> Operator(bool? unread, int? page, int? pageSize, NpgsqlDataSource db) =>
        ListAsync(Recipients.Operator, unread, page, pageSize, db);

    public static async Task<Results<Ok<PagedResult<Notification>>, ProblemHttpResult, ValidationProblem>> OfUnit(
        string unitCode, bool? unread, int? page, int? pageSize, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db)
    {
        var errors = new FieldErrors();
        errors.Check("unitCode", unitCode, Identifiers.CreditCode.TryValidate);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        // A unit's clients read their own unit's; admins any defined unit's. Anything else looks like no such unit.
        var caller = user.ToCaller(http);
        if (caller.IsAdmin ? !await UnitExistsAsync(db, unitCode) : caller.UnitCode != unitCode)
        {
            return Problems.NotFound("No such unit.");
        }

        return await ListAsync(Recipients.Unit(unitCode), unread, page, pageSize, db);
    }

    public static async Task<Results<NoContent, ProblemHttpResult, ValidationProblem>> MarkRead(
        string notificationId, ClaimsPrincipal user, HttpContext http, IClusterClient cluster)
    {
        if (!Guid.TryParse(notificationId, out var id))
        {
            return new FieldErrors().Add("notificationId", "must be a UUID").ToProblem();
        }

        var recipient = Recipients.Of(user.ToCaller(http));
        return recipient is not null && await cluster.GetGrain<INotificationInboxGrain>(recipient).MarkReadAsync(id)
            ? TypedResults.NoContent()
            : Problems.NotFound("No such notification.");
    }

    internal static async Task<bool> UnitExistsAsync(NpgsqlDataSource db, string unitCode)
    {
        await using var cmd = db.CreateCommand("SELECT EXISTS (SELECT 1 FROM units WHERE unit_code = $1)");
        cmd.Parameters.AddWithValue(unitCode);
        return await cmd.ExecuteScalarAsync() is true;
    }

    private static async Task<Ok<PagedResult<Notification>>> ListAsync(string recipient, bool? unread, int? page, int? pageSize, NpgsqlDataSource db)
    {
        var paging = Paging.From(page, pageSize);
        await using var cmd = db.CreateCommand("""
            SELECT id, correction_id, kind, stage, message, created_at, read_at, count(*) OVER ()
            FROM notifications WHERE recipient = $1 AND (NOT $2 OR read_at IS NULL)
            ORDER BY created_at DESC, id LIMIT $3 OFFSET $4
            """);
        cmd.Parameters.AddWithValue(recipient);
        cmd.Parameters.AddWithValue(unread ?? false);
        cmd.Parameters.AddWithValue(paging.PageSize);
        cmd.Parameters.AddWithValue(paging.Offset);
        return TypedResults.Ok(await paging.ReadAsync(cmd, reader =>
        {
            var readAt = reader.IsDBNull(6) ? (DateTimeOffset?)null : reader.GetFieldValue<DateTimeOffset>(6);
            return new Notification(reader.GetGuid(0).ToString(), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.GetFieldValue<DateTimeOffset>(5), readAt is not null, readAt);
        }));
    }
}
