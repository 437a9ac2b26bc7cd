using OrleansLicenses.Hosting;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using OrleansLicenses.ApiHost.Auth;
using OrleansLicenses.ApiHost.Infrastructure;
using OrleansLicenses.Catalog;
using OrleansLicenses.Corrections;

namespace OrleansLicenses.ApiHost.Apis;

/// <summary>
/// Correction requests (核查申请, art. 15): holders and using units file them, the issuing unit resolves or forwards
/// them, the operator resolves forwarded ones and the issuer closes them. The grain enforces who may do what; lists
/// come from the read model (<see cref="CorrectionQueries"/>).
/// </summary>
public static class CorrectionsApi
{
    public static IEndpointRouteBuilder MapCorrectionsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/corrections").WithTags("Corrections");
        group.MapPost("/", File).RequireAuthorization(Policies.HolderOrVerifier).WithIdempotencyKey()
            .WithName("FileCorrection").WithSummary("Files a correction request with the licence's issuing unit (holder, or a unit that used the licence).");
        group.MapGet("/", CorrectionQueries.List).RequireAuthorization(Policies.CorrectionParties)
            .WithName("ListCorrections").WithSummary("Correction requests: view=mine (requester), issuer (issuing unit) or operator (forwarded); status open, resolved or overdue.");
        group.MapGet("/{correctionId}", Get).RequireAuthorization(Policies.CorrectionParties)
            .WithName("GetCorrection").WithSummary("A correction request, for its requester, the issuing unit and admins.");
        group.MapGet("/{correctionId}/evidence", CorrectionEvidenceApi.Get).RequireAuthorization(Policies.CorrectionParties)
            .WithName("GetCorrectionEvidence").WithSummary("The request's evidence file, for its requester, the issuing unit and admins.")
            .Produces<byte[]>(StatusCodes.Status200OK, "application/pdf", "image/png", "image/jpeg");
        group.MapPost("/{correctionId}/resolve", Resolve).RequireAuthorization(Policies.IssuerOrAdmin).WithIdempotencyKey()
            .WithName("ResolveCorrection").WithSummary("Issuer (its stage) or operator (forwarded): corrected (a new licence version) or confirmed.");
        group.MapPost("/{correctionId}/forward", Forward).RequireAuthorization(Policies.Issuer).WithIdempotencyKey()
            .WithName("ForwardCorrection").WithSummary("Issuer: hands a technical cause to the library operator.");
        group.MapPost("/{correctionId}/close", Close).RequireAuthorization(Policies.Issuer).WithIdempotencyKey()
            .WithName("CloseCorrection").WithSummary("Issuer: closes a request the operator answered, telling the requester (applies the operator's correction).");
        return app;
    }

    public static async Task<Results<Created<CorrectionView>, ProblemHttpResult, ValidationProblem>> File(
        FileCorrectionRequest body, ClaimsPrincipal user, HttpContext http, IClusterClient cluster)
    {
        var errors = new FieldErrors();
        var number = errors.Required("licenseId", body.LicenseId) ? LicenseRequests.ParseId(body.LicenseId!, errors, "licenseId").Number : null;
        errors.Required("description", body.Description);
        errors.MaxLength("description", body.Description, CorrectionNames.MaxDescriptionLength);
        CorrectionRequests.Cause(errors, body.Cause);
        var evidence = CorrectionEvidenceApi.Parse(body.Evidence, errors);
        if (number is null)
        {
            if (body.Fields is not { Count: > 0 })
            {
                errors.Add("fields", "name at least one face element and the value it should have");
            }

            return errors.ToProblem();
        }

        // The type's schema is public (the catalogue): checking names against it reveals nothing about the licence.
        var type = await cluster.Get<ILicenseTypeGrain>(number.TypeCode).GetAsync();
        if (type is null)
        {
            return Problems.NotFound("No such licence.");
        }

        var fields = CorrectionRequests.Fields(type.Definition, body.Fields, errors);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var id = Guid.NewGuid().ToString();
        var view = await cluster.GetGrain<ICorrectionGrain>(id)
            .FileAsync(new FileCorrection(body.LicenseId!, number.ToString(), fields, body.Description!, body.Cause!, evidence), user.ToCaller(http));
        return TypedResults.Created($"/api/corrections/{id}", view);
    }

    public static async Task<Results<Ok<CorrectionView>, ProblemHttpResult, ValidationProblem>> Get(
        string correctionId, ClaimsPrincipal user, HttpContext http, IClusterClient cluster)
    {
        if (!CorrectionRequests.TryParseId(correctionId, out var id))
        {
            return BadId();
        }

        var view = await cluster.GetGrain<ICorrectionGrain>(id).GetAsync(user.ToCaller(http));
        return view is null ? Problems.NotFound("No such correction request.") : TypedResults.Ok(view);
    }

    public static async Task<Results<Ok<CorrectionView>, ProblemHttpResult, ValidationProblem>> Resolve(
        string correctionId, ResolveCorrectionRequest body, ClaimsPrincipal user, HttpContext http, IClusterClient cluster)
    {
        var errors = new FieldErrors();
        if (!CorrectionRequests.TryParseId(correctionId, out var id))
        {
            return BadId();
        }

        CorrectionRequests.Outcome(errors, body.Outcome);
        CorrectionRequests.Reason(errors, body.Reason);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var caller = user.ToCaller(http);
        var grain = cluster.GetGrain<ICorrectionGrain>(id);
        IReadOnlyDictionary<string, string>? fields = null;
        if (body.Outcome == CorrectionNames.OutcomeCorrected)
        {
            // The corrected values are checked against the licence's type, which the request names.
            var current = await grain.GetAsync(caller);
            if (current is null)
            {
                return Problems.NotFound("No such correction request.");
            }

            var typeCode = LicenseRequests.ParseId(current.LicenseId, new FieldErrors()).Number?.TypeCode;
            var type = typeCode is null ? null : await cluster.Get<ILicenseTypeGrain>(typeCode).GetAsync();
            if (type is null)
            {
                return Problems.NotFound("No such correction request.");
            }

            fields = CorrectionRequests.Fields(type.Definition, body.Fields, errors);
            if (errors.Any)
            {
                return errors.ToProblem();
            }
        }

        return TypedResults.Ok(await grain.ResolveAsync(new ResolveCorrection(body.Outcome!, fields, body.Reason!), caller));
    }

    public static Task<Results<Ok<CorrectionView>, ProblemHttpResult, ValidationProblem>> Forward(
        string correctionId, CorrectionReasonRequest body, ClaimsPrincipal user, HttpContext http, IClusterClient cluster) =>
        Step(correctionId, body, (grain, reason) => grain.ForwardAsync(reason, user.ToCaller(http)), cluster);

    public static Task<Results<Ok<CorrectionView>, ProblemHttpResult, ValidationProblem>> Close(
        string correctionId, CorrectionReasonRequest body, ClaimsPrincipal user, HttpContext http, IClusterClient cluster) =>
        Step(correctionId, body, (grain, reason) => grain.CloseAsync(reason, user.ToCaller(http)), cluster);

    private static async Task<Results<Ok<CorrectionView>, ProblemHttpResult, ValidationProblem>> Step(
        string correctionId, CorrectionReasonRequest body, Func<ICorrectionGrain, string, Task<CorrectionView>> step, IClusterClient cluster)
    {
        var errors = new FieldErrors();
        if (!CorrectionRequests.TryParseId(correctionId, out var id))
        {
            return BadId();
        }

        CorrectionRequests.Reason(errors, body.Reason);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        return TypedResults.Ok(await step(cluster.GetGrain<ICorrectionGrain>(id), body.Reason!));
    }

    private static ValidationProblem BadId() => new FieldErrors().Add("correctionId", "must be a UUID").ToProblem();
}
