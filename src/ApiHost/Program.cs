using OrleansLicenses.Audit;
using Orleans.Dashboard;
using OrleansLicenses.ApiHost.Apis;
using OrleansLicenses.ApiHost.Audit;
using OrleansLicenses.ApiHost.Auth;
using OrleansLicenses.ApiHost.Infrastructure;
using OrleansLicenses.Logging;
using OrleansLicenses.ApiHost.OpenApi;
using OrleansLicenses.ApiHost.Pages;
using Scalar.AspNetCore;

if (await AuditCommandLine.TryRunAsync(args))
{
    return; // audit-verify: the command-line form of GET /api/admin/audit/verify
}

var builder = WebApplication.CreateBuilder(args);
var limits = builder.Configuration.GetSection(RequestLimitSettings.Section).Get<RequestLimitSettings>() ?? new();

builder.AddLicenseClusterClient();
builder.AddAuditTrail();
builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = limits.MaxRequestBodyBytes);
builder.Services.AddSingleton(TimeProvider.System);
// Every problem answer carries a stable code: a handler's own, else the one of its status (ProblemCatalog).
builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = c =>
{
    if (!c.ProblemDetails.Extensions.ContainsKey("code") && ProblemCatalog.DefaultCode(c.ProblemDetails.Status ?? c.HttpContext.Response.StatusCode) is { } code)
    {
        c.ProblemDetails.Extensions["code"] = code;
    }
});
builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
builder.Services.ConfigureHttpJsonOptions(o =>
{
    o.SerializerOptions.MaxDepth = limits.MaxJsonDepth;
    o.SerializerOptions.AllowDuplicateProperties = false;
    o.SerializerOptions.Converters.Add(new NoControlCharactersConverter());
});
builder.Services.AddPlatformAuthentication(builder.Configuration);
builder.Services.AddPlatformPolicies(builder.Environment);
builder.Services.AddPlatformHealthChecks();
builder.Services.AddPlatformOpenApi();
builder.Services.AddPlatformRateLimits(builder.Configuration);
builder.Services.AddSingleton<OrleansLicenses.ApiHost.Verification.PresentationTokens>();
builder.Services.AddSingleton<LegacyIdentifiers>();
builder.Services.AddEdgeRateLimits(builder.Configuration);
builder.Services.AddArchiveCopies();

builder.Services.MaskPersonalDataInLogs();
builder.AddPlatformMetrics();

var app = builder.Build();
BootstrapGuard.Check(app.Configuration, app.Environment);

app.UseTrustedProxies(app.Configuration); // first: every later use of the client address sees the real one

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseEdgeRateLimits(); // per network and global, before authentication: floods are refused before any token or audit work
app.UsePlatformPages(); // the pages' scripts and styles: no token, no audit record
app.UseRequestLimits(limits);
IdempotencyFilter.UseIdempotencyBuffering(app);
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();
app.UseAuditTrail();

app.MapOpenApi();
// The reference page offers the document's bearer scheme: paste a token from POST /api/auth/token and try calls.
app.MapScalarApiReference("/scalar", o => o.WithTitle("OrleansLicenses 电子证照库 API").AddPreferredSecuritySchemes(ContractDocument.Bearer));
app.MapPlatformHealth();
app.MapPlatformMetrics();
app.MapAuthApi(app.Environment);
app.MapClientsApi();
app.MapCatalogApi();
app.MapUnitsApi();
app.MapLicensesApi();
app.MapImportsApi();
app.MapAdminApi();
app.MapVerificationApi();
app.MapHallScopeApi();
app.MapHolderApi();
app.MapPublicApi();
app.MapAuditApi();
app.MapCorrectionsApi();
app.MapNotificationsApi();
app.MapWebhooksApi();
app.MapSyncApi();
app.MapPlatformPages(); // /, /hall, /me, /public (issue 16)
// The dashboard's routes are its own internals, not the platform's contract: left out of the OpenAPI document.
app.MapOrleansDashboard(routePrefix: "/dashboard").RequireAuthorization(Policies.Dashboard).ExcludeFromDescription();

app.Run();

/// <summary>Entry point, visible to the functional tests' <c>WebApplicationFactory</c>.</summary>
public partial class Program;
