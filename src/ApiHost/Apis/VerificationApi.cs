using OrleansLicenses.Hosting;
using OrleansLicenses.Audit;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using OrleansLicenses.ApiHost.Audit;
using OrleansLicenses.ApiHost.Auth;
using OrleansLicenses.ApiHost.Copies;
using OrleansLicenses.ApiHost.Infrastructure;
using OrleansLicenses.ApiHost.Verification;
using OrleansLicenses.Holders;
using OrleansLicenses.Identifiers;
using OrleansLicenses.Licenses;
using OrleansLicenses.Verification;

namespace OrleansLicenses.ApiHost.Apis;

/// <summary>Verification and comparison in service halls (查验、比对), the use archive, and the public document check.</summary>
public static partial class VerificationApi
{
    public static IEndpointRouteBuilder MapVerificationApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/verifications").WithTags("Verification");
        // A verification changes no licence: its one effect is the use record. The licence grain commits the use
        // record and the verification's audit record (a read of personal data) in one transaction on its silo before
        // it answers; a request that never reaches the grain (400, 503) is recorded by the middleware as any read.
        // An Idempotency-Key (optional) makes a retried verification return the first answer: it spends no second
        // authorization use and writes no second use record.
        group.MapPost("/", Verify).RequireAuthorization(Policies.Verifier).RequireRateLimiting(RateLimits.Verification)
            .WithIdempotencyKey()
            .WithAuditScope(AuditScope.Read)
            .WithName("VerifyLicense").WithSummary("Verifies (and optionally compares) a licence by presentation token, authorization or business scope.");
        // 免提交: with the holder at the counter, the hall finds the holder's licences relevant to the matter without
        // asking for an identifier. A read of personal data (audited, the holder's id masked in the record); the
        // answer is one and the same 404 whether the matter is outside the hall's scope or the holder holds nothing.
        group.MapPost("/holder-licenses", HolderLicenses).RequireAuthorization(Policies.Verifier).RequireRateLimiting(RateLimits.Verification)
            .WithAuditScope(AuditScope.Read)
            .WithName("ListHolderLicensesForMatter")
            .WithSummary("免提交: the identified holder's licences of the types the hall's business scope maps to the matter, without face data.");
        group.MapGet("/{verificationId}", GetRecord).RequireAuthorization(Policies.Verifier)
            .WithName("GetVerification").WithSummary("The archived use record, for the verifying unit only.");
        group.MapGet("/{verificationId}/copy", PrintableCopy).RequireAuthorization(Policies.Verifier)
            .Produces<string>(StatusCodes.Status200OK, "text/html", ArchivePdf.MediaType)
            .WithName("GetVerificationCopy")
            .WithSummary("A printable archive copy (加注件) marked with its purpose: HTML, or PDF with Accept: application/pdf (its SHA-256 kept in the use archive).");
        group.MapPost("/document", CheckDocument).AllowAnonymous().RequireRateLimiting(RateLimits.Public).WithAuditScope(AuditScope.Read)
            .WithName("CheckDocument").WithSummary("Integrity, signature chain and current status of a signed licence document.");
        return app;
    }

    public sealed record VerifyRequest(
        string? PresentationToken, string? LicenseId, string? AuthorizationId, HolderRequest? Holder,
        string? MatterCode, string? Purpose, Dictionary<string, JsonElement>? Compare,
        string? CaseNumber = null, OperatorRequest? Operator = null);

    /// <summary>The officer (经办人) as the hall's system knows them.</summary>
    public sealed record OperatorRequest(string? Name);

    public sealed record VerifyResponse(
        string VerificationId, bool Valid, string Status, string StatusCode, IReadOnlyList<string> Reasons,
        VerifiedLicense License, IReadOnlyDictionary<string, string>? Comparison);

    public static async Task<Results<Ok<VerifyResponse>, ValidationProblem, ProblemHttpResult>> Verify(
        VerifyRequest body, ClaimsPrincipal user, HttpContext http, IClusterClient cluster, PresentationTokens tokens, AuditEntryFactory audit,
        LegacyIdentifiers legacy)
    {
        var caller = user.ToCaller(http);
        http.SetAuditPurpose(body.Purpose); // 用证事由 in the audit outcome record
        var errors = new FieldErrors();
        CheckUseContext(errors, body.MatterCode, body.Purpose, body.CaseNumber, body.Operator, "operator.name");
        if ((body.PresentationToken is null) == (body.LicenseId is null))
        {
            errors.Add("presentationToken", "give either presentationToken or licenseId");
        }

        var compare = CompareValues(body.Compare, errors);
        LicenseIdentifier? identifier = null;
        string basis = VerificationBasis.Scope;
        string? presentedHolder = null, identifiedHolder = null;
        PresentedToken? presented = null;
        if (body.PresentationToken is not null)
        {
            basis = VerificationBasis.Presentation;
            string? reason = "is too long";
            if (body.PresentationToken.Length > 2048 || tokens.Validate(body.PresentationToken, out reason) is not { } payload)
            {
                errors.Add("presentationToken", reason ?? "is not a genuine presentation token");
            }
            else if (body.Purpose is not null && body.Purpose != payload.Purpose)
            {
                // The holder presented the licence for one purpose (用证事由); it cannot be used for another.
                errors.Add("purpose", "does not match the purpose the holder presented the licence for");
            }
            else
            {
                LicenseIdentifier.TryParse(payload.Lic, out identifier, out _);
                presentedHolder = payload.Hk;
                presented = payload.ToPresented();
            }
        }
        else if (body.LicenseId is not null)
        {
            if (!LicenseIdentifier.TryParse(body.LicenseId, out identifier, out var idError))
            {
                // A legacy licence's own identifier with a wrong check character: found if this library holds it.
                identifier = LicenseIdentifier.TryParseLenient(body.LicenseId, out var lenient, out _) && lenient.CheckMismatch
                    && await legacy.HoldsAsync(body.LicenseId) ? lenient : null;
                if (identifier is null)
                {
                    errors.Add("licenseId", idError);
                }
            }

            if (body.AuthorizationId is not null)
            {
                basis = VerificationBasis.Authorization;
                errors.MaxLength("authorizationId", body.AuthorizationId, 64);
            }
            else if (body.Holder is null || body.Holder.IdType is not ("111" or "001") || string.IsNullOrEmpty(body.Holder.IdNumber) || body.Holder.IdNumber.Length > 18)
            {
                errors.Add("holder", "without a presentation or an authorization, identify the holder (idType 111/001 and idNumber)");
            }
            else
            {
                identifiedHolder = $"{body.Holder.IdType}:{body.Holder.IdNumber}";
            }
        }

        if (errors.Any || identifier is null)
        {
            return errors.ToProblem();
        }

        var outcome = await cluster.Get<ILicenseGrain>(identifier.Number).VerifyAsync(new VerifyLicense(
            identifier.Version, basis, body.MatterCode!, body.Purpose!, body.AuthorizationId, presentedHolder, identifiedHolder, compare,
            audit.Create(http, AuditKinds.Read, AuditOutcomes.Attempted, null, null), body.CaseNumber, body.Operator?.Name?.Trim(), presented), caller);
        http.MarkAuditedBySilo();
        if (outcome is null)
        {
            return Problems.NotFound("No such licence, or no authorization to use it for this matter.");
        }

        return TypedResults.Ok(new VerifyResponse(outcome.VerificationId, outcome.Valid, outcome.Status, outcome.StatusCode, outcome.Reasons,
            outcome.License, outcome.Comparison));
    }

    /// <summary>
    /// The context every use of a licence states (DESIGN §6.1): the matter (事项编码), the purpose (用证事由), and
    /// optionally the case number (办件编号) and the officer (经办人). Shape only; what they entitle to is the grains'.
    /// </summary>
    internal static void CheckUseContext(FieldErrors errors, string? matterCode, string? purpose, string? caseNumber, OperatorRequest? officer,
        string operatorField)
    {
        if (errors.Required("matterCode", matterCode) && (matterCode!.Length > 64 || !MatterPattern().IsMatch(matterCode)))
        {
            errors.Add("matterCode", "must be 1-64 characters of A-Z, 0-9, '-', '_' or '.'");
        }

        errors.Required("purpose", purpose);
        errors.MaxLength("purpose", purpose, 200);
        if (caseNumber is not null && !CaseNumberPattern().IsMatch(caseNumber))
        {
            errors.Add("caseNumber", "must be 1-64 characters of A-Z, a-z, 0-9, '-', '_', '.' or '/'");
        }

        if (officer is not null && (string.IsNullOrWhiteSpace(officer.Name) || officer.Name.Length > 50 || officer.Name.Any(char.IsControl)))
        {
            errors.Add(operatorField, "must be 1-50 characters without control characters");
        }
    }

    public sealed record HolderLookupRequest(HolderRequest? Holder, string? MatterCode, string? Purpose, string? CaseNumber = null, OperatorRequest? Operator = null);

    /// <summary>One licence found for the matter: identity, type, issuer, status and validity; never face data.</summary>
    public sealed record HolderLicenseSummary(string Id, string LicenseNumber, string TypeCode, string IssuerCode, string Status, string StatusCode,
        DateOnly? ValidFrom, DateOnly? ValidUntil);

    public sealed record HolderLicensesResponse(string MatterCode, IReadOnlyList<HolderLicenseSummary> Licenses);

    public static async Task<Results<Ok<HolderLicensesResponse>, ValidationProblem, ProblemHttpResult>> HolderLicenses(
        HolderLookupRequest body, ClaimsPrincipal user, HttpContext http, IClusterClient cluster, TimeProvider time)
    {
        http.SetAuditPurpose(body.Purpose);
        var errors = new FieldErrors();
        CheckUseContext(errors, body.MatterCode, body.Purpose, body.CaseNumber, body.Operator, "operator.name");
        var holderKey = IdentifiedHolder(body.Holder, errors, PlatformClock.Today(time));
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        http.SetAuditResource($"/api/verifications/holder-licenses?holder={AuditEntryFactory.MaskSubject(holderKey!)}&matterCode={body.MatterCode}");
        var found = await cluster.Get<IHolderGrain>(holderKey!).ListForMatterAsync(body.MatterCode!, user.ToCaller(http));
        if (found.Count == 0)
        {
            return Problems.NotFound("No licence of this holder for this matter within your business scope.");
        }

        return TypedResults.Ok(new HolderLicensesResponse(body.MatterCode!, [.. found.Select(l => new HolderLicenseSummary(
            l.CurrentId, l.LicenseNumber, l.TypeCode, LicenseNumber.Parse(l.LicenseNumber).IssuerCode, l.Status,
            LicenseStatusCodes.TryFromWireName(l.Status, out var status) ? status.ToNationalCode() : "", l.ValidFrom, l.ValidUntil))]));
    }

    /// <summary>The holder identified at the counter: id type 111 with a GB 11643 citizen id, or 001 with a GB 32100 credit code.</summary>
    private static string? IdentifiedHolder(HolderRequest? holder, FieldErrors errors, DateOnly today)
    {
        switch (holder?.IdType)
        {
            case null when holder is null:
                errors.Add("holder", "is required (idType and idNumber)");
                return null;
            case HolderIdTypes.Citizen:
                errors.Check("holder.idNumber", holder.IdNumber, (string? v, out string? e) => CitizenId.TryValidate(v, today, out e));
                break;
            case HolderIdTypes.Organization:
                errors.Check("holder.idNumber", holder.IdNumber, CreditCode.TryValidate);
                break;
            default:
                errors.Add("holder.idType", "must be 111 (citizen id) or 001 (unified social credit code)");
                return null;
        }

        return errors.Has("holder.idNumber") ? null : $"{holder.IdType}:{holder.IdNumber}";
    }

    public sealed record UseRecordView(string VerificationId, DateTimeOffset UsedAt, string UnitCode, string ClientId, string MatterCode,
        string Purpose, string Basis, string LicenseIdentifier, string LicenseVersion, string DocumentHash, bool Valid, string Status,
        IReadOnlyList<string> Reasons, VerifiedLicense License, IReadOnlyDictionary<string, string>? Comparison, string? CaseNumber, string? OperatorName,
        string Kind);

    public static async Task<Results<Ok<UseRecordView>, ProblemHttpResult>> GetRecord(string verificationId, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db)
    {
        var record = await Load(verificationId, user.ToCaller(http).UnitCode, db);
        return record is null ? Problems.NotFound("No such verification.") : TypedResults.Ok(record);
    }

    /// <summary>
    /// The archive copy (加注件): HTML by default, PDF when the caller asks for <c>application/pdf</c> (and prefers it to
    /// HTML). Every PDF served is recorded in the use archive with its SHA-256 before it is answered.
    /// </summary>
    public static async Task<Results<ContentHttpResult, FileContentHttpResult, ProblemHttpResult>> PrintableCopy(
        string verificationId, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db, CopySources sources, ArchivePdf pdf, CopyLedger ledger)
    {
        var caller = user.ToCaller(http);
        var record = await Load(verificationId, caller.UnitCode, db);
        if (record is null)
        {
            return Problems.NotFound("No such verification.");
        }

        var content = CopyContent.Build(record, await sources.TypeAsync(record.License.TypeCode),
            await sources.UnitNameAsync(record.UnitCode, http.RequestAborted), CopyNegotiation.PublicCheckUrl(http.Request, record.LicenseIdentifier));
        if (!CopyNegotiation.WantsPdf(http.Request))
        {
            return TypedResults.Content(ArchiveCopy.Render(content), "text/html; charset=utf-8");
        }

        var bytes = pdf.Render(content);
        var hash = await ledger.RecordAsync(Guid.Parse(record.VerificationId), caller.Subject, ArchivePdf.MediaType, bytes, http.RequestAborted);
        http.Response.Headers["Content-Digest"] = $"sha-256=:{Convert.ToBase64String(Convert.FromHexString(hash))}:";
        return TypedResults.File(bytes, ArchivePdf.MediaType, $"jiazhujian-{record.VerificationId}.pdf");
    }

    public sealed record DocumentRequest(string? Identifier, string? Canonical, string? Signature, string? Certificate);

    public static async Task<Results<Ok<DocumentCheckResult>, ValidationProblem>> CheckDocument(DocumentRequest body, IClusterClient cluster)
    {
        var errors = new FieldErrors();
        errors.Required("canonical", body.Canonical);
        errors.MaxLength("canonical", body.Canonical, 256 * 1024);
        errors.Required("signature", body.Signature);
        errors.MaxLength("signature", body.Signature, 1024);
        errors.Required("certificate", body.Certificate);
        errors.MaxLength("certificate", body.Certificate, 16 * 1024);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        return TypedResults.Ok(await cluster.GetGrain<IDocumentCheckGrain>(0).CheckAsync(new PresentedDocument(body.Canonical!, body.Signature!, body.Certificate!)));
    }

    private static Dictionary<string, string>? CompareValues(Dictionary<string, JsonElement>? compare, FieldErrors errors)
    {
        if (compare is null)
        {
            return null;
        }

        if (compare.Count > 50)
        {
            errors.Add("compare", "at most 50 fields");
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in compare)
        {
            if (!FieldKeyPattern().IsMatch(key))
            {
                errors.Add("compare", "keys are face-element keys: a letter, then letters, digits or '_' (at most 64)");
                continue;
            }

            switch (value.ValueKind)
            {
                case JsonValueKind.String when value.GetString()!.Length <= 2000:
                    result[key] = value.GetString()!;
                    break;
                case JsonValueKind.Number:
                    result[key] = value.GetRawText();
                    break;
                default:
                    errors.Add($"compare.{key}", "must be a string (at most 2000 characters) or a number");
                    break;
            }
        }

        return result;
    }

    private static async Task<UseRecordView?> Load(string verificationId, string? unitCode, NpgsqlDataSource db)
    {
        if (!Guid.TryParse(verificationId, out var id) || unitCode is null)
        {
            return null;
        }

        await using var cmd = db.CreateCommand("""
            SELECT id, used_at, unit_code, client_id, matter_code, purpose, basis, license_identifier, license_version, document_hash,
                   valid, status, reasons, disclosed::text, comparison::text, case_number, operator_name, use_kind
            FROM license_uses WHERE id = $1 AND unit_code = $2
            """);
        cmd.Parameters.AddWithValue(id);
        cmd.Parameters.AddWithValue(unitCode);
        await using var reader = await cmd.ExecuteReaderAsync();
        if (!await reader.ReadAsync())
        {
            return null;
        }

        return new UseRecordView(reader.GetGuid(0).ToString(), reader.GetFieldValue<DateTimeOffset>(1), reader.GetString(2), reader.GetString(3),
            reader.GetString(4), reader.GetString(5), reader.GetString(6), reader.GetString(7), reader.GetString(8), reader.GetString(9),
            reader.GetBoolean(10), reader.GetString(11), reader.GetFieldValue<string[]>(12),
            JsonSerializer.Deserialize<VerifiedLicense>(reader.GetString(13), StoredJson)!,
            reader.IsDBNull(14) ? null : JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(14), StoredJson),
            reader.IsDBNull(15) ? null : reader.GetString(15), reader.IsDBNull(16) ? null : reader.GetString(16), reader.GetString(17));
    }

    /// <summary>How the silo's journal wrote the disclosed licence and the comparison (<c>license_uses</c> jsonb).</summary>
    private static readonly JsonSerializerOptions StoredJson = new(JsonSerializerDefaults.Web);

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Z0-9][A-Z0-9._-]{0,63}$")]
    private static partial System.Text.RegularExpressions.Regex MatterPattern();

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z0-9._/-]{1,64}$")]
    private static partial System.Text.RegularExpressions.Regex CaseNumberPattern();

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z][A-Za-z0-9_]{0,63}$")]
    private static partial System.Text.RegularExpressions.Regex FieldKeyPattern();
}
