using Microsoft.AspNetCore.Http.HttpResults;

namespace OrleansLicenses.ApiHost.Infrastructure;

/// <summary>Problem results used by several endpoint modules.</summary>
public static class Problems
{
    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found.", detail: detail);
}
