using System.Security.Claims;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using OrleansLicenses.ApiHost.Auth;
using OrleansLicenses.ApiHost.Infrastructure;
using OrleansLicenses.Identifiers;
using OrleansLicenses.Sync;

namespace OrleansLicenses.ApiHost.Apis;

/// <summary>
/// Aggregation from lower libraries (issue 11): a sync client (bound to a region) pushes batches of licence changes and
/// reads consistency digests. The grains validate and apply; this module checks the request's shape.
/// </summary>
public static partial class SyncApi
{
    public const int MaxRecords = 1000;

    public static IEndpointRouteBuilder MapSyncApi(this IEndpointRouteBuilder app)
    {
        var sync = app.MapGroup("/api/sync").WithTags("Aggregation");
        sync.MapPost("/batches", Receive).RequireAuthorization(Policies.Sync).WithName("PushSyncBatch")
            .WithSummary("Receives a batch of licence changes from a lower library: idempotent per batch id, each record validated, per-record rejections with reasons.");
        // Administrators read their own library's digest too (to compare it with the upper library's).
        sync.MapGet("/digest", Digest).RequireAuthorization(Policies.SyncOrAdmin).WithName("SyncDigest")
            .WithSummary("Consistency digest of an issuer's licences by issue day: count and SM3 Merkle root, per-day sub-digests, leaves on request.");
        return app;
    }

    public static async Task<Results<Ok<SyncBatchResult>, ValidationProblem>> Receive(SyncBatch batch, ClaimsPrincipal user, HttpContext http, IClusterClient cluster)
    {
        var errors = new FieldErrors();
        if (batch.BatchId is null || !BatchId().IsMatch(batch.BatchId))
        {
            errors.Add("batchId", "1 to 200 characters: letters, digits and . _ : -");
        }

        errors.Check("sourceRegion", batch.SourceRegion, Regions.TryValidate);
        if (batch.Records is null || batch.Records.Count > MaxRecords || batch.Records.Any(r => r is null || r.Lifecycle is null
            || r.Identifier is null || r.Document is null || r.Signature is null || r.Certificate is null || r.Status is null || r.Operation is null || r.IssuerRegion is null))
        {
            errors.Add("records", $"up to {MaxRecords} records, each with identifier, operation, status, issuerRegion, lifecycle, document, signature and certificate");
        }

        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var caller = user.ToCaller(http);
        var result = await cluster.GetGrain<ISyncBatchGrain>($"{caller.Subject}/{batch.BatchId}").ReceiveAsync(batch, caller);
        return TypedResults.Ok(result);
    }

    public static async Task<Results<Ok<SyncDigest>, ValidationProblem>> Digest(string? issuer, DateOnly? from, DateOnly? to, bool? leaves,
        ClaimsPrincipal user, HttpContext http, IClusterClient cluster)
    {
        var errors = new FieldErrors();
        errors.Check("issuer", issuer, CreditCode.TryValidate);
        if (from is { } f && to is { } t && f > t)
        {
            errors.Add("to", "must not be before from");
        }

        if (errors.Any)
        {
            return errors.ToProblem();
        }

        return TypedResults.Ok(await cluster.GetGrain<ISyncDigestGrain>(0).DigestAsync(issuer!, from, to, leaves ?? false, user.ToCaller(http)));
    }

    [GeneratedRegex("^[A-Za-z0-9._:-]{1,200}$")]
    private static partial Regex BatchId();
}
