using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace OrleansLicenses.ApiHost.Audit;

/// <summary>
/// Counts requests refused by an authorization policy (401, 403) before they reach an endpoint, then answers as
/// the framework does. The count goes to the <see cref="DenialAggregator"/>, not the audit chain: a flood of
/// token-less requests costs a dictionary increment each, and never waits for or fills the audit writer's queue.
/// </summary>
public sealed class AuditingAuthorizationResultHandler(DenialAggregator denials) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler inner = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Challenged || authorizeResult.Forbidden)
        {
            denials.RecordDenial(context, authorizeResult.Challenged ? StatusCodes.Status401Unauthorized : StatusCodes.Status403Forbidden);
        }

        return inner.HandleAsync(next, context, policy, authorizeResult);
    }
}
