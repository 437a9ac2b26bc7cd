using OrleansLicenses.Audit;
using OrleansLicenses.Licenses;
using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using NpgsqlTypes;
using OrleansLicenses.ApiHost.Audit;
using OrleansLicenses.ApiHost.Auth;
using OrleansLicenses.ApiHost.Infrastructure;

namespace OrleansLicenses.ApiHost.Apis;

/// <summary>The audit trail for the operator: search, chain verification, checkpoints. Reading it is itself audited.</summary>
public static class AuditApi
{
    private static readonly string[] Outcomes =
        [AuditOutcomes.Attempted, AuditOutcomes.Succeeded, AuditOutcomes.Denied, AuditOutcomes.NotFound, AuditOutcomes.Rejected, AuditOutcomes.Failed];

    private static readonly string[] Kinds = [AuditKinds.Write, AuditKinds.Read, AuditKinds.Access, AuditKinds.Authentication];

    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/admin/audit").WithTags("Audit").RequireAuthorization(Policies.Admin);
        group.MapGet("/", List).WithName("ListAuditRecords")
            .WithSummary("Audit records, newest first; filter by time (from, to), actor, resource (substring), action, outcome, kind, requestId; paged.");
        group.MapGet("/verify", Verify).WithName("VerifyAuditTrail")
            .WithSummary("Recomputes the SM3 chain, checks the signed checkpoints and the head, and reports the first broken link.");
        group.MapGet("/denials", DenialQueries.List).WithName("ListAccessDenials")
            .WithSummary("Denied requests (401, 403, pre-authentication 429) summed per client network, status, actor and action over a time window (from, to), largest first; filter by client and status; paged.");
        group.MapPost("/checkpoints", Checkpoint).WithName("CreateAuditCheckpoint")
            .WithSummary("Signs the chain head now (after verifying the records since the previous checkpoint).");
        return app;
    }

    public sealed record AuditRecordView(long Seq, DateTimeOffset Time, string RequestId, string Actor, string? Role, string? UnitCode,
        string? ClientAddress, string Kind, string Action, string Resource, string Outcome, int? Status, string? Purpose, long? AttemptSeq, string Hash);

    public static async Task<Results<Ok<PagedResult<AuditRecordView>>, ValidationProblem>> List(
        string? from, string? to, string? actor, string? resource, string? action, string? outcome, string? kind, string? requestId,
        int? page, int? pageSize, NpgsqlDataSource db, AuditKeys keys)
    {
        var errors = new FieldErrors();
        var since = Time(errors, "from", from);
        var until = Time(errors, "to", to);
        if (since is { } s && until is { } u && u < s)
        {
            errors.Add("to", "must not be before from");
        }

        errors.MaxLength("actor", actor, 200);
        errors.MaxLength("resource", resource, AuditEntryFactory.MaxResourceLength);
        errors.MaxLength("action", action, 200);
        errors.MaxLength("requestId", requestId, 200);
        if (outcome is not null && !Outcomes.Contains(outcome))
        {
            errors.Add("outcome", $"must be one of {string.Join(", ", Outcomes)}");
        }

        if (kind is not null && !Kinds.Contains(kind))
        {
            errors.Add("kind", $"must be one of {string.Join(", ", Kinds)}");
        }

        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var paging = Paging.From(page, pageSize);
        // actor: the stored (masked) actor, or the full subject through its keyed pseudonym (so a holder's full id
        // number finds their records although it is never stored).
        await using var cmd = db.CreateCommand($"""
            SELECT {ChainStore.RecordColumns}, count(*) OVER ()
            FROM audit_records
            WHERE ($1::timestamptz IS NULL OR recorded_at >= $1) AND ($2::timestamptz IS NULL OR recorded_at < $2)
              AND ($3::text IS NULL OR actor = $3 OR actor_ref = $4)
              AND ($5::text IS NULL OR strpos(resource, $5) > 0)
              AND ($6::text IS NULL OR action = $6) AND ($7::text IS NULL OR outcome = $7)
              AND ($8::text IS NULL OR kind = $8) AND ($9::text IS NULL OR request_id = $9)
            ORDER BY seq DESC
            LIMIT $10 OFFSET $11
            """);
        cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.TimestampTz, Value = (object?)since ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.TimestampTz, Value = (object?)until ?? DBNull.Value });
        foreach (var value in new[] { actor, actor is null ? null : keys.ActorRef(actor), resource is null ? null : PersonalData.MaskText(resource), action, outcome, kind, requestId })
        {
            cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)value ?? DBNull.Value });
        }

        cmd.Parameters.AddWithValue(paging.PageSize);
        cmd.Parameters.AddWithValue(paging.Offset);
        return TypedResults.Ok(await paging.ReadAsync(cmd, reader =>
        {
            var r = ChainStore.ReadRecord(reader);
            var e = r.Entry;
            return new AuditRecordView(r.Seq, e.Time, e.RequestId, e.Actor, e.Role, e.UnitCode, e.ClientAddress, e.Kind, e.Action, e.Resource,
                e.Outcome, e.Status, e.Purpose, e.AttemptSeq, Convert.ToHexStringLower(r.Hash));
        }));
    }

    public static async Task<Ok<AuditVerification>> Verify(NpgsqlDataSource db, AuditVerifier verifier, CancellationToken ct) =>
        TypedResults.Ok(await verifier.VerifyAsync(db, ct));

    public sealed record CheckpointResponse(AuditCheckpoint? Checkpoint, bool Created);

    public static async Task<Results<Ok<CheckpointResponse>, ProblemHttpResult>> Checkpoint(AuditCheckpointer checkpointer)
    {
        var result = await checkpointer.CreateAsync();
        if (result.Break is { } broken)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The audit chain is broken; the head was not signed.",
                detail: $"Record {broken.Seq}: {broken.Detail}.", extensions: new Dictionary<string, object?>
                {
                    ["code"] = "audit.chain_broken",
                    ["seq"] = broken.Seq,
                    ["reason"] = broken.Reason,
                });
        }

        return TypedResults.Ok(new CheckpointResponse(result.Checkpoint, result.Created));
    }

    internal static DateTimeOffset? Time(FieldErrors errors, string field, string? value)
    {
        if (value is null)
        {
            return null;
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            return time.ToUniversalTime();
        }

        errors.Add(field, "must be an ISO 8601 date-time such as 2026-11-28T08:00:00Z");
        return null;
    }
}
