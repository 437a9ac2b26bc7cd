using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using OrleansLicenses.ApiHost.Auth;
using OrleansLicenses.ApiHost.Imports;
using OrleansLicenses.ApiHost.Infrastructure;
using OrleansLicenses.Catalog;
using OrleansLicenses.Hosting;
using OrleansLicenses.Identifiers;
using OrleansLicenses.Imports;

namespace OrleansLicenses.ApiHost.Apis;

/// <summary>
/// Bulk import of offline and legacy licences for issuer systems: the upload is stored in PostgreSQL and an import
/// grain in the cluster issues its records in the background; progress and per-row errors are read from the tables.
/// </summary>
public static class ImportsApi
{
    /// <summary>Largest upload accepted (1 GiB).</summary>
    public const long MaxUploadBytes = 1L << 30;

    public const string Csv = "text/csv";
    public const string Ndjson = "application/x-ndjson";

    public static IEndpointRouteBuilder MapImportsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/imports").WithTags("Imports");
        group.MapPost("/", Upload).RequireAuthorization(Policies.Issuer).WithMetadata(new UploadLimitMetadata(MaxUploadBytes))
            .Accepts<string>(Csv, Ndjson)
            .WithName("UploadImport").WithSummary("Uploads offline or legacy licence records (CSV or JSON Lines, streamed, up to 1 GiB) for issuing in the background.");
        group.MapGet("/{id}", Get).RequireAuthorization(Policies.Issuer)
            .WithName("GetImport").WithSummary("An import's progress: total, done, failed, rate, and its per-row errors (paged).");
        return app;
    }

    public sealed record ImportAccepted(Guid Id, string Status, int Total);

    public static async Task<Results<Accepted<ImportAccepted>, ValidationProblem>> Upload(
        string? kind, string? typeCode, ClaimsPrincipal user, HttpContext http, IClusterClient cluster, NpgsqlDataSource db)
    {
        var caller = user.ToCaller(http);
        var errors = new FieldErrors();
        if (kind is not (ImportColumns.KindOffline or ImportColumns.KindLegacy))
        {
            errors.Add("kind", "must be offline or legacy");
        }

        errors.Check("typeCode", typeCode, LicenseIdentifier.TryValidateTypeCode);
        var media = http.Request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        var format = media switch { Csv => "csv", Ndjson => "ndjson", _ => null };
        if (format is null)
        {
            errors.Add("Content-Type", $"must be {Csv} or {Ndjson}");
        }

        var charset = UploadEncoding.FromContentType(http.Request.ContentType);
        if (charset is null)
        {
            errors.Add("Content-Type", "charset must be utf-8 or gb18030 (or left out: UTF-8, with or without BOM, and GB18030 are recognised)");
        }

        if (caller.UnitCode is null)
        {
            errors.Add("unit", "the token names no issuing unit");
        }

        if (!errors.Has("typeCode") && await cluster.Get<ILicenseTypeGrain>(typeCode!).GetAsync() is null)
        {
            errors.Add("typeCode", "is not in the catalogue");
        }

        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var ct = http.RequestAborted;
        var encoding = charset!.Length > 0 ? charset : await UploadEncoding.SniffAsync(http.Request.BodyReader, ct);
        using var text = new StreamReader(http.Request.BodyReader.AsStream(), UploadEncoding.Of(encoding), detectEncodingFromByteOrderMarks: false,
            bufferSize: 64 * 1024);
        var records = format == "csv" ? new CsvRecordReader(text, kind!).ReadAsync() : new NdjsonRecordReader(text).ReadAsync();
        var request = new ImportRequest(Guid.CreateVersion7(), caller.UnitCode!, caller.RegionCode, caller.Subject, kind!, typeCode!, format!, encoding);
        StoredUpload stored;
        try
        {
            stored = await ImportUpload.StoreAsync(db, request, records, ct);
        }
        catch (UploadUnreadableException e)
        {
            return errors.Add(e.Field, e.Message).ToProblem();
        }
        catch (DecoderFallbackException)
        {
            return errors.Add("body", $"is not valid {encoding}").ToProblem();
        }

        // Stored and committed: a silo takes it from here (and its reminder brings it back after a restart).
        await cluster.GetGrain<IImportGrain>(request.Id).StartAsync();
        return TypedResults.Accepted($"/api/imports/{request.Id}", new ImportAccepted(request.Id, "queued", stored.Total));
    }

    public static async Task<Results<Ok<ImportQueries.ImportProgress>, ProblemHttpResult>> Get(
        string id, int? page, int? pageSize, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db, TimeProvider time)
    {
        var caller = user.ToCaller(http);
        // Another issuer's import, or none: the same 404.
        return Guid.TryParse(id, out var importId) && caller.UnitCode is not null
            && await ImportQueries.ProgressAsync(db, importId, caller.UnitCode, Paging.From(page, pageSize), time.GetUtcNow()) is { } progress
            ? TypedResults.Ok(progress)
            : Problems.NotFound("No such import.");
    }
}
