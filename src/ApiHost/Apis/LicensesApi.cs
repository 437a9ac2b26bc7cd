using OrleansLicenses.Hosting;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using OrleansLicenses.Access;
using OrleansLicenses.ApiHost.Audit;
using OrleansLicenses.ApiHost.Auth;
using OrleansLicenses.Audit;
using OrleansLicenses.ApiHost.Infrastructure;
using OrleansLicenses.Catalog;
using OrleansLicenses.Identifiers;
using OrleansLicenses.Licenses;
using OrleansLicenses.Verification;

namespace OrleansLicenses.ApiHost.Apis;

/// <summary>Issuance and the licence lifecycle for department (issuer) systems; reads for issuers and admins.</summary>
public static class LicensesApi
{
    public static IEndpointRouteBuilder MapLicensesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/licenses").WithTags("Licences");
        group.MapPost("/", Issue).RequireAuthorization(Policies.Issuer).WithIdempotencyKey()
            .WithName("IssueLicense").WithSummary("Issues a licence (version 001), signed with the unit's SM2 key.");
        group.MapPost("/{id}/changes", Change).RequireAuthorization(Policies.Issuer).WithIdempotencyKey()
            .WithName("ChangeLicense").WithSummary("Changes face data: a new version with a new identifier.");
        group.MapPost("/{id}/events", ApplyEvent).RequireAuthorization(Policies.Issuer).WithIdempotencyKey()
            .WithName("ApplyLicenseEvent").WithSummary("Status events: suspend, reinstate, revoke, cancel, withdraw, abolish, annual-inspection, extend, mortgage, pledge, transfer-out.");
        group.MapGet("/{id}", Get).RequireAuthorization(Policies.IssuerOrAdmin)
            .WithName("GetLicense").WithSummary("A licence by any version's identifier or by licence number.");
        group.MapGet("/{id}/history", History).RequireAuthorization(Policies.IssuerAdminOrHolder)
            .WithName("GetLicenseHistory").WithSummary("Timeline: who, when, what, why.");
        // A verifier gets the document only on the holder's authorization (one use of it), stated as a verification
        // states it; each retrieval is a use (use archive, audit) committed before the answer.
        group.MapGet("/{id}/document", Document).RequireAuthorization(Policies.DocumentReaders)
            .WithName("GetLicenseDocument")
            .WithSummary("The signed document: canonical JSON, SM2 signature, certificate chain (verifiers: with the holder's authorization).");
        group.MapGet("/", Search).RequireAuthorization(Policies.IssuerOrAdmin)
            .WithName("SearchLicenses").WithSummary("Lists licences from the read model (issuers: own unit only).");
        return app;
    }

    public static async Task<Results<Created<LicenseView>, ValidationProblem>> Issue(
        IssueLicenseRequest body, ClaimsPrincipal user, HttpContext http, IClusterClient cluster, TimeProvider time)
    {
        var caller = user.ToCaller(http);
        var errors = new FieldErrors();
        errors.Check("typeCode", body.TypeCode, LicenseIdentifier.TryValidateTypeCode);
        var serial = body.Serial ?? NewSerial(caller.Subject, http.Request.Headers[IdempotencyFilter.Header].ToString(), PlatformClock.Today(time));
        if (!LicenseIdentifier.TryValidateSerial(serial, out var serialError))
        {
            errors.Add("serial", serialError);
        }

        var validFrom = LicenseRequests.Date(errors, "validFrom", body.ValidFrom, required: true);
        var validUntil = LicenseRequests.Date(errors, "validUntil", body.ValidUntil, required: false);
        if (body.Holder is null)
        {
            errors.Add("holder", "is required");
        }

        // The edge checks shape only. Face values are converted from JSON by the kind the catalogue gives each
        // element; whether they, the holder and the validity are acceptable is the licence grain's to say (all at once).
        var type = errors.Has("typeCode") ? null : await cluster.Get<ILicenseTypeGrain>(body.TypeCode!).GetAsync();
        var fields = LicenseRequests.Fields(type?.Definition, body.Fields, errors);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var holder = new HolderRef(body.Holder!.IdType ?? "", body.Holder.IdNumber ?? "", body.Holder.Name ?? "");
        var number = LicenseNumber.Create(body.TypeCode!, caller.UnitCode ?? "", serial);
        var view = await ApiMetrics.MeasureIssuanceAsync(cluster.Get<ILicenseGrain>(number.ToString())
            .IssueAsync(new IssueLicense(body.TypeCode!, holder, fields, validFrom!.Value, validUntil), caller));
        return TypedResults.Created($"/api/licenses/{view.Id}", view);
    }

    public static async Task<Results<Ok<LicenseView>, ValidationProblem>> Change(
        string id, ChangeLicenseRequest body, ClaimsPrincipal user, HttpContext http, IClusterClient cluster, LegacyIdentifiers legacy)
    {
        var errors = new FieldErrors();
        var (number, _) = await LicenseRequests.ResolveIdAsync(id, errors, legacy);
        errors.Required("reason", body.Reason);
        errors.MaxLength("reason", body.Reason, LifecycleEvent.MaxReasonLength);
        if (body.HolderName is { Length: 0 or > 100 })
        {
            errors.Add("holderName", "must be 1-100 characters");
        }

        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var type = await cluster.Get<ILicenseTypeGrain>(number!.TypeCode).GetAsync();
        // "fields" is a JSON merge patch (RFC 7396) of the current face: send only what changes, null removes an element.
        var removed = new List<string>();
        var fields = LicenseRequests.Fields(type?.Definition, body.Fields, errors, removed);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        return TypedResults.Ok(await cluster.Get<ILicenseGrain>(number.ToString())
            .ChangeAsync(new ChangeLicense(fields, body.HolderName, body.Reason!, removed), user.ToCaller(http)));
    }

    public static async Task<Results<Ok<LicenseView>, ValidationProblem>> ApplyEvent(
        string id, LicenseEventRequest body, ClaimsPrincipal user, HttpContext http, IClusterClient cluster, TimeProvider time,
        LegacyIdentifiers legacy)
    {
        var errors = new FieldErrors();
        var (number, _) = await LicenseRequests.ResolveIdAsync(id, errors, legacy);
        if (errors.Required("type", body.Type) && (!LicenseEventTypes.StatusEvents.Contains(body.Type)))
        {
            errors.Add("type", $"must be one of {string.Join(", ", LicenseEventTypes.StatusEvents)}");
        }

        var until = LicenseRequests.Date(errors, "until", body.Until, required: false);
        var newValidUntil = LicenseRequests.Date(errors, "newValidUntil", body.NewValidUntil, required: false);
        var date = LicenseRequests.Date(errors, "date", body.Date, required: false);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        // Which fields the event type takes and which dates it accepts are the transition table's, in the grain.
        var e = new LifecycleEvent(body.Type!, body.Reason, until, newValidUntil, body.Result, date);
        return TypedResults.Ok(await cluster.Get<ILicenseGrain>(number!.ToString()).ApplyAsync(e, user.ToCaller(http)));
    }

    public static Task<Results<Ok<LicenseView>, ProblemHttpResult, ValidationProblem>> Get(
        string id, ClaimsPrincipal user, HttpContext http, IClusterClient cluster, LegacyIdentifiers legacy) =>
        LicenseRequests.Read(id, cluster, legacy, (grain, version) => grain.GetAsync(version, user.ToCaller(http)));

    public static Task<Results<Ok<IReadOnlyList<HistoryEntry>>, ProblemHttpResult, ValidationProblem>> History(
        string id, ClaimsPrincipal user, HttpContext http, IClusterClient cluster, LegacyIdentifiers legacy) =>
        LicenseRequests.Read(id, cluster, legacy, (grain, _) => grain.GetHistoryAsync(user.ToCaller(http)));

    public static Task<Results<Ok<SignedDocument>, ProblemHttpResult, ValidationProblem>> Document(
        string id, string? authorizationId, string? matterCode, string? purpose, string? caseNumber, string? operatorName,
        ClaimsPrincipal user, HttpContext http, IClusterClient cluster, AuditEntryFactory audit, LegacyIdentifiers legacy)
    {
        var caller = user.ToCaller(http);
        if (caller.Role != Roles.Verifier)
        {
            return LicenseRequests.Read(id, cluster, legacy, (grain, version) => grain.GetDocumentAsync(version, caller));
        }

        http.SetAuditPurpose(purpose);
        var errors = new FieldErrors();
        errors.Required("authorizationId", authorizationId);
        errors.MaxLength("authorizationId", authorizationId, 64);
        VerificationApi.CheckUseContext(errors, matterCode, purpose, caseNumber,
            operatorName is null ? null : new VerificationApi.OperatorRequest(operatorName), "operatorName");
        return LicenseRequests.Read(id, cluster, legacy, async (grain, version) =>
        {
            var document = await grain.GetDocumentForUseAsync(new VerifyLicense(version, VerificationBasis.Authorization, matterCode!, purpose!,
                authorizationId, null, null, null, audit.Create(http, AuditKinds.Read, AuditOutcomes.Attempted, null, null),
                caseNumber, operatorName?.Trim()), caller);
            http.MarkAuditedBySilo();
            return document;
        }, errors: errors);
    }

    public sealed record LicenseSummary(string Id, string LicenseNumber, string Version, string TypeCode, string IssuerCode, string RegionCode,
        string HolderIdType, string HolderIdNumber, string Status, DateOnly ValidFrom, DateOnly? ValidUntil, DateTimeOffset UpdatedAt);

    public static async Task<Results<Ok<PagedResult<LicenseSummary>>, ValidationProblem>> Search(
        string? holder, string? type, string? issuer, string? status, int? page, int? pageSize,
        ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db, TimeProvider time)
    {
        var caller = user.ToCaller(http);
        var errors = new FieldErrors();
        string? holderType = null, holderNumber = null;
        if (holder is not null)
        {
            var parts = holder.Split(':', 2);
            (holderType, holderNumber) = parts.Length == 2 ? (parts[0], parts[1]) : (null, parts[0]);
            if (holderNumber.Length is 0 or > 18)
            {
                errors.Add("holder", "give idType:idNumber or an id number");
            }
        }

        if (status is not null && !LicenseStatusCodes.TryFromWireName(status, out _))
        {
            errors.Add("status", $"must be one of {string.Join(", ", LicenseStatusCodes.All.Select(s => s.ToWireName()))}");
        }

        if (errors.Any)
        {
            return errors.ToProblem();
        }

        // Issuers see their own unit's licences only, whatever they ask for.
        if (caller.Role == Roles.Issuer)
        {
            issuer = caller.UnitCode;
        }

        var paging = Paging.From(page, pageSize);
        // Only the filters given become predicates, so PostgreSQL plans each query shape with its index
        // (licenses_*_recent) instead of one generic plan that scans the table. The total is counted up to
        // SearchCountCap matching rows; beyond that it is a lower bound (totalIsLowerBound).
        var where = new List<string>();
        await using var batch = db.CreateBatch();
        var pageCommand = new NpgsqlBatchCommand();
        var parameters = new List<NpgsqlParameter> { new() { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Date, Value = PlatformClock.Today(time) } };
        void Filter(string column, string? value)
        {
            if (value is not null)
            {
                parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text, Value = value });
                where.Add(column == "status" ? $"{LicenseQueries.EffectiveStatus} = ${parameters.Count}" : $"{column} = ${parameters.Count}");
            }
        }

        Filter("holder_id_number", holderNumber);
        Filter("holder_id_type", holderType);
        Filter("type_code", type);
        Filter("issuer_code", issuer);
        Filter("status", status);
        var filter = where.Count == 0 ? "" : "WHERE " + string.Join(" AND ", where);
        pageCommand.CommandText = $"""
            SELECT identifier, license_number, version, type_code, issuer_code, region_code, holder_id_type, holder_id_number,
                   {LicenseQueries.EffectiveStatus} AS status, valid_from, valid_until, updated_at
            FROM licenses {filter}
            ORDER BY updated_at DESC, license_number
            LIMIT {paging.PageSize} OFFSET {paging.Offset}
            """;
        var count = new NpgsqlBatchCommand($"SELECT count(*) FROM (SELECT 1 FROM licenses {filter} LIMIT {SearchCountCap + 1}) AS capped");
        foreach (var p in parameters)
        {
            pageCommand.Parameters.Add(p.Clone());
            count.Parameters.Add(p.Clone());
        }

        // A page of 20 and a count capped at SearchCountCap are short index walks: parallel workers cost more to
        // start than the walk (measured on 1 000 000 rows: 79 ms with workers, 2.5 ms without). Local to this
        // batch's implicit transaction.
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT set_config('max_parallel_workers_per_gather', '0', true)"));
        batch.BatchCommands.Add(pageCommand);
        batch.BatchCommands.Add(count);
        var items = new List<LicenseSummary>();
        await using var reader = await batch.ExecuteReaderAsync();
        await reader.NextResultAsync(); // past set_config
        while (await reader.ReadAsync())
        {
            var idType = reader.GetString(6);
            var idNumber = reader.GetString(7);
            items.Add(new LicenseSummary(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.GetString(5), idType, idType == HolderIdTypes.Citizen ? CitizenId.Mask(idNumber) : idNumber,
                reader.GetString(8), reader.GetFieldValue<DateOnly>(9), reader.IsDBNull(10) ? null : reader.GetFieldValue<DateOnly>(10),
                reader.GetFieldValue<DateTimeOffset>(11)));
        }

        await reader.NextResultAsync();
        await reader.ReadAsync();
        var total = reader.GetInt64(0);
        return TypedResults.Ok(new PagedResult<LicenseSummary>(items, paging.Page, paging.PageSize, Math.Min(total, SearchCountCap))
        {
            TotalIsLowerBound = total > SearchCountCap,
        });
    }

    /// <summary>Search totals are exact up to this many matching licences.</summary>
    public const int SearchCountCap = 10_000;

    private static string NewSerial(string client, string idempotencyKey, DateOnly today)
    {
        // 4-digit year + 10 upper-case alphanumerics. With an Idempotency-Key the characters are derived from the
        // client and the key, so a retry after a lost answer (the key is released when a request fails) targets the
        // same licence number and gets the licence it created, never a second one. Without a key they are random;
        // a collision is refused by the storage's unique key (409) rather than overwriting.
        const string alphabet = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
        var source = idempotencyKey.Length > 0
            ? SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{client}/{idempotencyKey}"))
            : RandomNumberGenerator.GetBytes(32);
        Span<char> chars = stackalloc char[10];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = alphabet[BitConverter.ToUInt16(source, i * 2) % alphabet.Length];
        }

        return $"{today.Year:D4}{chars}"; // the platform's year (China date), as the issuer's own numbering would
    }
}

/// <summary>SQL shared by the read-model queries.</summary>
public static class LicenseQueries
{
    /// <summary>The lifecycle status as of the date in parameter $1: the lifecycle's rule in its SQL form
    /// (deploy/sql/0016_effective_status.sql), so the read model answers what the grains answer.</summary>
    public const string EffectiveStatus = "license_effective_status(status, valid_until, suspended_until, $1)";
}
