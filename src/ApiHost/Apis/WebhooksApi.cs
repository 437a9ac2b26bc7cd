using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using OrleansLicenses.ApiHost.Audit;
using OrleansLicenses.ApiHost.Auth;
using OrleansLicenses.ApiHost.Infrastructure;
using OrleansLicenses.Identifiers;
using OrleansLicenses.Webhooks;

namespace OrleansLicenses.ApiHost.Apis;

public sealed record WebhookRequest(string? Url, string? Secret);

/// <summary>
/// A unit's webhook: its notifications posted, signed, to an outside endpoint. Admins and the unit's own issuer and
/// verifier clients configure it (any client of a unit reads that unit's notifications, so any may have them pushed);
/// everyone else gets 404. Writes go to the unit's <see cref="IUnitWebhookGrain"/> and are audited as writes; reads come
/// from <c>unit_webhooks</c> and <c>webhook_deliveries</c>.
/// </summary>
public static class WebhooksApi
{
    public static IEndpointRouteBuilder MapWebhooksApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/units/{unitCode}/webhook").WithTags("Notifications").RequireAuthorization(Policies.UnitClientsOrAdmin);
        group.MapPut("/", Configure).WithName("ConfigureUnitWebhook")
            .WithSummary("Sets the unit's webhook: every notification for the unit is POSTed to the URL, signed with the secret.");
        group.MapGet("/", Get).WithName("GetUnitWebhook").WithSummary("The unit's webhook (never the secret; configured false when none) and its delivery counts.");
        group.MapDelete("/", Remove).WithName("RemoveUnitWebhook").WithSummary("Removes the unit's webhook (if any) and cancels its pending deliveries.");
        group.MapGet("/deliveries", WebhookQueries.Deliveries)
            // Under /api/units, whose other reads carry no personal data; these bodies are notifications about requests.
            .WithAuditScope(AuditScope.Read)
            .WithName("ListUnitWebhookDeliveries").WithSummary("The unit's webhook deliveries, newest first: pending, delivered, failed or cancelled.");
        return app;
    }

    public static async Task<Results<Ok<WebhookView>, ProblemHttpResult, ValidationProblem>> Configure(
        string unitCode, WebhookRequest body, ClaimsPrincipal user, HttpContext http, IClusterClient cluster)
    {
        var errors = new FieldErrors();
        errors.Check("unitCode", unitCode, CreditCode.TryValidate);
        errors.Check("url", body.Url, WebhookRules.TryValidateUrl);
        errors.Check("secret", body.Secret, WebhookRules.TryValidateSecret);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        http.SetAuditResource($"/api/units/{unitCode}/webhook");
        return TypedResults.Ok(await cluster.GetGrain<IUnitWebhookGrain>(unitCode).ConfigureAsync(new ConfigureWebhook(body.Url!, body.Secret!), user.ToCaller(http)));
    }

    /// <summary>The unit's webhook: <c>configured</c> false (and no URL) when it has none; the counts include deliveries of an earlier endpoint.</summary>
    public sealed record WebhookSummary(string UnitCode, bool Configured, string? Url, DateTimeOffset? UpdatedAt, long Pending, long Delivered, long Failed);

    public static async Task<Results<Ok<WebhookSummary>, ProblemHttpResult, ValidationProblem>> Get(
        string unitCode, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db)
    {
        switch (await WebhookQueries.CheckUnitAsync(unitCode, user.ToCaller(http), db))
        {
            case ValidationProblem invalid:
                return invalid;
            case ProblemHttpResult missing:
                return missing;
        }

        await using var cmd = db.CreateCommand("""
            SELECT w.url, w.updated_at,
                   (SELECT count(*) FROM webhook_deliveries d WHERE d.unit_code = $1 AND d.status = 'pending'),
                   (SELECT count(*) FROM webhook_deliveries d WHERE d.unit_code = $1 AND d.status = 'delivered'),
                   (SELECT count(*) FROM webhook_deliveries d WHERE d.unit_code = $1 AND d.status = 'failed')
            FROM (SELECT $1::text AS unit_code) u LEFT JOIN unit_webhooks w ON w.unit_code = u.unit_code
            """);
        cmd.Parameters.AddWithValue(unitCode);
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        var configured = !reader.IsDBNull(0);
        return TypedResults.Ok(new WebhookSummary(unitCode, configured, configured ? reader.GetString(0) : null,
            configured ? reader.GetFieldValue<DateTimeOffset>(1) : null, reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4)));
    }

    /// <summary>Idempotent: 204 whether or not the unit had a webhook (pending deliveries are cancelled).</summary>
    public static async Task<Results<NoContent, ProblemHttpResult, ValidationProblem>> Remove(
        string unitCode, ClaimsPrincipal user, HttpContext http, IClusterClient cluster)
    {
        if (!CreditCode.TryValidate(unitCode, out var error))
        {
            return new FieldErrors().Add("unitCode", error).ToProblem();
        }

        http.SetAuditResource($"/api/units/{unitCode}/webhook");
        await cluster.GetGrain<IUnitWebhookGrain>(unitCode).RemoveAsync(user.ToCaller(http));
        return TypedResults.NoContent();
    }
}
