using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace OrleansLicenses.ApiHost.OpenApi;

/// <summary>The document as a whole: what the contract is, its areas, how to authenticate, the problem shape.</summary>
public sealed class ContractDocument : IOpenApiDocumentTransformer
{
    public const string Bearer = "bearer";
    public const string ClientCredentials = "clientCredentials";
    public const string Problem = "Problem";

    /// <summary>The areas of the contract (OpenAPI tags), in the order a newcomer meets them.</summary>
    public static readonly IReadOnlyList<(string Name, string Description)> Areas =
    [
        ("Authentication", "系统客户端凭证换取访问令牌。Client-credentials grant: system clients (admin, issuer, verifier, sync) exchange their id and secret for a bearer token."),
        ("Catalogue", "证照目录：证照类型、照面要素、公开范围与附件。The licence-type catalogue: face elements, validity, public disclosure, catalogue files."),
        ("Units", "发证和用证单位：区划、上级、可签发类型、业务范围、签名密钥。Issuing and using units: region, parent, issuable types, business scope (matters → types), signing keys."),
        ("Clients", "系统客户端的登记与管理。Registering and managing system clients."),
        ("Licences", "证照的签发、变更、状态事件、历史与签名文件。Issuing licences, changing face data, status events, history and the signed document."),
        ("Imports", "离线生成与存量证照电子化的批量导入。Bulk import of offline-generated and legacy (digitized paper) licences: upload, background issuing, progress and per-row errors."),
        ("Verification", "用证：核验、比对、免提交查询、用证存档与加注件。Using licences: verification, comparison, the 免提交 holder lookup, the use archive and the archive copy."),
        ("Holder", "持证主体：本人证照、亮证、授权、用证记录、通知。Holders: own licences, presentation codes, authorizations, who used them, notifications."),
        ("Public", "面向社会公开的证照查询与公钥。Public disclosure of licences of public types, and the platform's public keys."),
        ("Corrections", "证照核查申请（第十五条），三日内处理。Correction requests (art. 15) with their three-day deadlines and evidence."),
        ("Notifications", "单位的通知记录与 Webhook 推送。A unit's notification records and its webhook."),
        ("Administration", "运营管理：实时状态巡检与统计。Operations: live grain inspection, statistics, operator notifications."),
        ("Aggregation", "归集：下级证照库增量推送与一致性摘要。Aggregation: a lower library pushes licence changes; consistency digests (SM3 Merkle roots per issue day)."),
        ("Audit", "不可篡改的审计链：查询、校验、签名检查点。The tamper-evident audit trail: query, verification, signed checkpoints."),
        ("Operations", "健康检查。Liveness and readiness."),
    ];

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "OrleansLicenses 电子证照库 API",
            Version = "v1",
            Description = """
                省级一体化在线政务服务平台电子证照库的接口：部门业务系统签发证照，服务大厅核验、比对和免提交调取，持证主体查询、亮证和授权，
                社会公众查询应当公开的证照。依据《黑龙江省电子证照管理暂行办法》。

                The HTTP contract of a provincial electronic licence library: department systems issue signed electronic licences
                (SM2/SM3, GB/T 36904 identifiers), service halls verify, compare and look them up, holders read their own, present
                them and decide who may use them, and the public queries licences that must be public.

                Authentication: system clients obtain a bearer token from `POST /api/auth/token` (client credentials); holders
                bring a token of the real-name identity platform. Errors are `application/problem+json` (RFC 9457) with a stable
                `code` and, for invalid input, `errors` naming each field. Write operations accept an `Idempotency-Key` header.
                Faults answer 503 with `Retry-After`.
                """,
            Contact = new OpenApiContact { Name = "电子证照库运营 · Licence library operations" },
        };

        foreach (var server in document.Servers ?? [])
        {
            server.Url = server.Url?.TrimEnd('/');
        }

        document.Tags = new HashSet<OpenApiTag>(Areas.Select(a => new OpenApiTag { Name = a.Name, Description = a.Description }));
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
        {
            [Bearer] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "A token from POST /api/auth/token (system clients) or from the real-name identity platform (holders).",
            },
            [ClientCredentials] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.OAuth2,
                Description = "System clients: client-credentials grant at the platform's token endpoint; send the token as a bearer token.",
                Flows = new OpenApiOAuthFlows
                {
                    ClientCredentials = new OpenApiOAuthFlow { TokenUrl = new Uri("/api/auth/token", UriKind.Relative), Scopes = new Dictionary<string, string>() },
                },
            },
        };
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas[Problem] = ProblemSchema();
        // Every error answer now refers to the one problem schema; the framework's own two are left unreferenced.
        document.Components.Schemas.Remove("ProblemDetails");
        document.Components.Schemas.Remove("HttpValidationProblemDetails");
        return Task.CompletedTask;
    }

    private static OpenApiSchema ProblemSchema() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "RFC 9457 problem details with the platform's stable code.",
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["type"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
            ["title"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
            ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer | JsonSchemaType.Null, Format = "int32" },
            ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
            ["instance"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
            ["code"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null, Description = "Stable machine code, listed per response." },
            ["errors"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object | JsonSchemaType.Null,
                Description = "For invalid input: each bad field with what is wrong.",
                AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
            },
        },
    };
}
