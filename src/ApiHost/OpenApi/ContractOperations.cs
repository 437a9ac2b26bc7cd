using System.Reflection;
using System.Text;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.OpenApi;
using OrleansLicenses.ApiHost.Audit;
using OrleansLicenses.ApiHost.Infrastructure;

namespace OrleansLicenses.ApiHost.OpenApi;

/// <summary>
/// Per operation, read from the endpoint's own metadata (so the document cannot drift from the code): who may call
/// it (the authorization policy's roles, the security requirement), whether it takes an Idempotency-Key, and every
/// error answer it can give as problem+json with the <see cref="ProblemCatalog"/> codes of that status.
/// </summary>
public sealed class ContractOperations : IOpenApiOperationTransformer
{
    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var description = context.Description;
        var metadata = description.ActionDescriptor.EndpointMetadata;
        var anonymous = metadata.OfType<IAllowAnonymous>().Any() || !metadata.OfType<IAuthorizeData>().Any();
        var idempotent = metadata.OfType<IdempotencyMetadata>().Any();
        var limited = metadata.OfType<EnableRateLimitingAttribute>().Any();
        var method = description.HttpMethod ?? "GET";
        var write = !HttpMethods.IsGet(method);
        var template = description.RelativePath ?? "";

        // Every operation sits behind the edge's per-network and global limits (before authentication): 429.
        var statuses = new SortedSet<int> { 429, 503 };
        if (description.ParameterDescriptions.Count > 0)
        {
            statuses.Add(400);
        }

        if (!anonymous)
        {
            statuses.UnionWith([401, 403]);
        }

        if (template.Contains('{', StringComparison.Ordinal) || Answers<ProblemHttpResult>(metadata))
        {
            statuses.Add(404);
        }

        if (idempotent)
        {
            statuses.UnionWith([409, 422]);
        }

        var areas = metadata.OfType<ITagsMetadata>().SelectMany(t => t.Tags).SelectMany(ProblemCatalog.AreasOf).ToList();
        var domain = ProblemCatalog.Domain.Where(e => areas.Any(a => e.Code.StartsWith(a, StringComparison.Ordinal))).ToList();
        if (write)
        {
            // A write can also meet the domain's conflicts (e.g. a lifecycle event the status does not accept).
            statuses.UnionWith(domain.Where(e => e.Status == 409).Select(e => e.Status));
        }

        var general = ProblemCatalog.Everywhere.Where(e => (idempotent || !e.Code.StartsWith("idempotency.", StringComparison.Ordinal))
            && (write || e.Code != "concurrency.conflict"));
        var codes = general.Concat(domain).Where(e => statuses.Contains(e.Status)).ToLookup(e => e.Status);

        operation.Responses ??= [];
        foreach (var status in operation.Responses.Keys.Where(k => k[0] is '4' or '5').ToList())
        {
            operation.Responses.Remove(status);
        }

        foreach (var status in statuses)
        {
            operation.Responses[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] = ProblemResponse(status, codes[status], context.Document);
        }

        var roles = anonymous ? [] : await RolesAsync(metadata, context.ApplicationServices);
        operation.Security = anonymous ? [] :
        [
            new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ContractDocument.Bearer, context.Document)] = [] },
            new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ContractDocument.ClientCredentials, context.Document)] = [] },
        ];
        if (idempotent)
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = IdempotencyFilter.Header,
                In = ParameterLocation.Header,
                Description = "Optional. The same key and body return the first result; another body is 422; while the first is running, 409.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 128 },
            });
        }

        operation.Description = Describe(operation.Summary, roles, anonymous, idempotent, limited, metadata.OfType<AuditScopeMetadata>().FirstOrDefault()?.Scope, write);
    }

    private static bool Answers<T>(IList<object> metadata) =>
        metadata.OfType<MethodInfo>().Any(m => m.ReturnType.ToString().Contains(typeof(T).FullName!, StringComparison.Ordinal));

    private static async Task<IReadOnlyList<string>> RolesAsync(IList<object> metadata, IServiceProvider services)
    {
        var provider = services.GetRequiredService<IAuthorizationPolicyProvider>();
        var roles = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var data in metadata.OfType<IAuthorizeData>())
        {
            var policy = data.Policy is { } name ? await provider.GetPolicyAsync(name) : await provider.GetDefaultPolicyAsync();
            roles.UnionWith(policy?.Requirements.OfType<Microsoft.AspNetCore.Authorization.Infrastructure.RolesAuthorizationRequirement>()
                .SelectMany(r => r.AllowedRoles) ?? []);
        }

        return [.. roles];
    }

    private static string Describe(string? summary, IReadOnlyList<string> roles, bool anonymous, bool idempotent, bool limited, AuditScope? audit, bool write)
    {
        var text = new StringBuilder(summary ?? "").AppendLine().AppendLine();
        text.AppendLine(anonymous ? "Who may call it: anyone, without a token."
            : roles.Count > 0 ? $"Who may call it: {string.Join(", ", roles)} (bearer token)."
            : "Who may call it: an authenticated caller (bearer token).");
        text.AppendLine(audit == AuditScope.Read || (audit is null && !write && !anonymous) ? "Audited as a read of personal data."
            : write ? "Audited: an attempt record before it runs and an outcome record." : "");
        if (idempotent)
        {
            text.AppendLine("Accepts an Idempotency-Key header.");
        }

        if (limited)
        {
            text.AppendLine("Rate limited (429 with Retry-After).");
        }

        return text.ToString().TrimEnd();
    }

    private static OpenApiResponse ProblemResponse(int status, IEnumerable<ProblemCatalog.Entry> codes, OpenApiDocument? document)
    {
        var text = new StringBuilder(Reason(status)).Append(". Problem details (RFC 9457); `code`:");
        foreach (var entry in codes)
        {
            text.Append("\n- `").Append(entry.Code).Append("`: ").Append(entry.Meaning);
        }

        var response = new OpenApiResponse
        {
            Description = text.ToString(),
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(ContractDocument.Problem, document) },
            },
        };
        if (status is 429 or 503)
        {
            response.Headers = new Dictionary<string, IOpenApiHeader>
            {
                ["Retry-After"] = new OpenApiHeader { Description = "Seconds to wait before retrying.", Schema = new OpenApiSchema { Type = JsonSchemaType.Integer } },
            };
        }

        return response;
    }

    private static string Reason(int status) => status switch
    {
        400 => "Invalid input",
        401 => "Not authenticated",
        403 => "Not allowed for this role",
        404 => "Not found, or not visible to the caller",
        409 => "Conflict",
        422 => "Idempotency-Key reused with another body",
        429 => "Too many requests",
        503 => "Temporarily unavailable",
        _ => "Error",
    };
}
