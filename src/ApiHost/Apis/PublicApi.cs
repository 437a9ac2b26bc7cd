using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OrleansLicenses.ApiHost.Infrastructure;
using OrleansLicenses.Licenses;
using OrleansLicenses.Verification;

namespace OrleansLicenses.ApiHost.Apis;

/// <summary>Public disclosure query (公示查询): public types only, public fields only, rate limited per address.</summary>
public static class PublicApi
{
    public static IEndpointRouteBuilder MapPublicApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/public/licenses/{id}", Get).WithTags("Public").AllowAnonymous().RequireRateLimiting(RateLimits.Public)
            .WithName("GetPublicLicense").WithSummary("Disclosure fields of a licence of a public type.");
        return app;
    }

    public static Task<Results<Ok<PublicLicense>, ProblemHttpResult, ValidationProblem>> Get(string id, IClusterClient cluster, LegacyIdentifiers legacy) =>
        LicenseRequests.Read(id, cluster, legacy, (grain, version) => grain.GetPublicAsync(version), "No public licence with this identifier.");
}
