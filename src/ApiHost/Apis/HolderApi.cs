using OrleansLicenses.Hosting;
using OrleansLicenses.Audit;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using OrleansLicenses.ApiHost.Audit;
using OrleansLicenses.ApiHost.Auth;
using OrleansLicenses.ApiHost.Infrastructure;
using OrleansLicenses.ApiHost.Verification;
using OrleansLicenses.Verification;
using OrleansLicenses.Holders;
using OrleansLicenses.Licenses;
using QRCoder;

namespace OrleansLicenses.ApiHost.Apis;

/// <summary>Holder self-service (art. 15): identity from the holder token only; another holder's licence is 404.</summary>
public static class HolderApi
{
    public static IEndpointRouteBuilder MapHolderApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/me").WithTags("Holder").RequireAuthorization(Policies.Holder);
        group.MapGet("/licenses", MyLicenses).WithName("MyLicenses").WithSummary("My licences.");
        group.MapGet("/licenses/{id}", MyLicense).WithName("MyLicense").WithSummary("One of my licences.");
        group.MapPost("/licenses/{id}/presentations", Present).WithName("PresentLicense")
            .WithSummary("A short-lived presentation token and its QR code (亮证码).");
        group.MapGet("/usage", Usage).WithName("MyUsage").WithSummary("Every use of my licences: unit, matter, purpose, time, result.");
        group.MapPost("/authorizations", Grant).WithIdempotencyKey().WithName("GrantAuthorization").WithSummary("Authorizes a unit and/or matter to use a licence.");
        group.MapGet("/authorizations", Authorizations).WithName("MyAuthorizations").WithSummary("My authorizations.");
        group.MapDelete("/authorizations/{authorizationId}", Withdraw).WithName("WithdrawAuthorization").WithSummary("Withdraws an authorization.");
        return app;
    }

    public static async Task<Ok<IReadOnlyList<HolderLicense>>> MyLicenses(ClaimsPrincipal user, HttpContext http, IClusterClient cluster)
    {
        // The holder grain applies the clock (expiry, end of a suspension) with the lifecycle's own rule.
        var caller = user.ToCaller(http);
        return TypedResults.Ok(await cluster.Get<IHolderGrain>(caller.Subject).GetLicensesAsync(caller));
    }

    public static Task<Results<Ok<LicenseView>, ProblemHttpResult, ValidationProblem>> MyLicense(
        string id, ClaimsPrincipal user, HttpContext http, IClusterClient cluster, LegacyIdentifiers legacy) =>
        LicenseRequests.Read(id, cluster, legacy, (grain, version) => grain.GetAsync(version, user.ToCaller(http)));

    /// <param name="Purpose">The purpose (用证事由) the code is bound to.</param>
    /// <param name="TtlSeconds">How long the code lives: 30–600 s, 300 by default.</param>
    /// <param name="MaxUses">How many verifications the code entitles, all by the unit that verifies first: 1 unless
    /// the holder allows more (at most 5), so a hall cannot pass a received code on.</param>
    public sealed record PresentationRequest(string? Purpose, int? TtlSeconds, int? MaxUses = null);

    public sealed record PresentationResponse(string Token, DateTimeOffset ExpiresAt, string QrPng, string LicenseId, int MaxUses);

    public static async Task<Results<Created<PresentationResponse>, ProblemHttpResult, ValidationProblem>> Present(
        string id, PresentationRequest body, ClaimsPrincipal user, HttpContext http, IClusterClient cluster, PresentationTokens tokens,
        LegacyIdentifiers legacy)
    {
        http.SetAuditPurpose(body.Purpose);
        var errors = new FieldErrors();
        var (number, version) = await LicenseRequests.ResolveIdAsync(id, errors, legacy);
        errors.Required("purpose", body.Purpose);
        errors.MaxLength("purpose", body.Purpose, 200);
        var ttl = body.TtlSeconds ?? PresentationTokens.DefaultTtlSeconds;
        if (ttl is < 30 or > PresentationTokens.MaxTtlSeconds)
        {
            errors.Add("ttlSeconds", $"must be between 30 and {PresentationTokens.MaxTtlSeconds}");
        }

        var maxUses = body.MaxUses ?? 1;
        if (maxUses is < 1 or > PresentedToken.MaxAllowedUses)
        {
            errors.Add("maxUses", $"must be between 1 and {PresentedToken.MaxAllowedUses}");
        }

        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var caller = user.ToCaller(http);
        var view = await cluster.Get<ILicenseGrain>(number!.ToString()).GetAsync(version, caller);
        if (view is null)
        {
            return Problems.NotFound("No such licence.");
        }

        var (token, expires) = tokens.Create(view.Id, view.Version, caller.Subject, body.Purpose!, ttl, maxUses);
        var png = PngByteQRCodeHelper.GetQRCode(token, QRCodeGenerator.ECCLevel.M, 4);
        return TypedResults.Created((string?)null, new PresentationResponse(token, expires, Convert.ToBase64String(png), view.Id, maxUses));
    }

    /// <summary>One use of the holder's licence; the officer's name is masked (a hall employee's name is their personal data).</summary>
    public sealed record UsageEntry(string VerificationId, DateTimeOffset UsedAt, string UnitCode, string MatterCode, string Purpose,
        string LicenseIdentifier, string Basis, bool Valid, string Status, string? CaseNumber, string? Operator, string Kind, string? UnitName = null);

    public static async Task<Ok<PagedResult<UsageEntry>>> Usage(int? page, int? pageSize, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db)
    {
        var paging = Paging.From(page, pageSize);
        await using var cmd = db.CreateCommand("""
            SELECT u.id, u.used_at, u.unit_code, u.matter_code, u.purpose, u.license_identifier, u.basis, u.valid, u.status, u.case_number,
                   u.operator_name, u.use_kind, n.name, count(*) OVER ()
            FROM license_uses u LEFT JOIN units n ON n.unit_code = u.unit_code
            WHERE u.holder_key = $1 ORDER BY u.used_at DESC LIMIT $2 OFFSET $3
            """);
        cmd.Parameters.AddWithValue(user.ToCaller(http).Subject);
        cmd.Parameters.AddWithValue(paging.PageSize);
        cmd.Parameters.AddWithValue(paging.Offset);
        return TypedResults.Ok(await paging.ReadAsync(cmd, reader =>
        {
            return new UsageEntry(reader.GetGuid(0).ToString(), reader.GetFieldValue<DateTimeOffset>(1), reader.GetString(2), reader.GetString(3),
                reader.GetString(4), reader.GetString(5), reader.GetString(6), reader.GetBoolean(7), reader.GetString(8),
                reader.IsDBNull(9) ? null : reader.GetString(9), reader.IsDBNull(10) ? null : PersonalData.MaskName(reader.GetString(10)),
                reader.GetString(11), reader.IsDBNull(12) ? null : reader.GetString(12));
        }));
    }

    public sealed record GrantRequest(string? LicenseId, string? GranteeUnitCode, string? MatterCode, string? Purpose, DateTimeOffset? ExpiresAt, int? MaxUses);

    public static async Task<Results<Created<AuthorizationView>, ValidationProblem>> Grant(
        GrantRequest body, ClaimsPrincipal user, HttpContext http, IClusterClient cluster, TimeProvider time)
    {
        http.SetAuditPurpose(body.Purpose);
        var errors = new FieldErrors();
        var number = errors.Required("licenseId", body.LicenseId) ? LicenseRequests.ParseId(body.LicenseId!, errors, "licenseId").Number?.ToString() : null;
        if (body.GranteeUnitCode is null && body.MatterCode is null)
        {
            errors.Add("granteeUnitCode", "give a grantee unit, a matter, or both");
        }
        else if (body.GranteeUnitCode is not null)
        {
            errors.Check("granteeUnitCode", body.GranteeUnitCode, Identifiers.CreditCode.TryValidate);
        }

        errors.MaxLength("matterCode", body.MatterCode, 64);
        errors.Required("purpose", body.Purpose);
        errors.MaxLength("purpose", body.Purpose, 200);
        if (body.ExpiresAt is not { } expires)
        {
            errors.Add("expiresAt", "is required");
        }
        else if (expires <= time.GetUtcNow() || expires > time.GetUtcNow().AddYears(1))
        {
            errors.Add("expiresAt", "must be in the future and within one year");
        }

        if (body.MaxUses is < 1 or > 10_000)
        {
            errors.Add("maxUses", "must be between 1 and 10000");
        }

        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var caller = user.ToCaller(http);
        var view = await cluster.Get<IHolderGrain>(caller.Subject).GrantAsync(
            new GrantAuthorization(number!, body.GranteeUnitCode, body.MatterCode, body.Purpose!, body.ExpiresAt!.Value, body.MaxUses), caller);
        return TypedResults.Created($"/api/me/authorizations/{view.Id}", view);
    }

    public static async Task<Ok<IReadOnlyList<AuthorizationView>>> Authorizations(ClaimsPrincipal user, HttpContext http, IClusterClient cluster)
    {
        var caller = user.ToCaller(http);
        return TypedResults.Ok(await cluster.Get<IHolderGrain>(caller.Subject).GetAuthorizationsAsync(caller));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Withdraw(string authorizationId, ClaimsPrincipal user, HttpContext http, IClusterClient cluster) =>
        authorizationId.Length <= 64 && await cluster.Get<IHolderGrain>(user.ToCaller(http).Subject).WithdrawAsync(authorizationId, user.ToCaller(http))
            ? TypedResults.NoContent()
            : Problems.NotFound("No such authorization.");
}
