using OrleansLicenses.Audit;
using Orleans.Dashboard;
using OrleansLicenses.ApiHost.Apis;
using OrleansLicenses.ApiHost.Audit;
using OrleansLicenses.ApiHost.Auth;
using OrleansLicenses.ApiHost.Infrastructure;
using OrleansLicenses.Logging;
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
builder.Services.AddProblemDetails();
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
builder.Services.AddOpenApi();
builder.Services.AddPlatformRateLimits(builder.Configuration);
builder.Services.AddSingleton<OrleansLicenses.ApiHost.Verification.PresentationTokens>();

builder.Services.MaskPersonalDataInLogs();

var app = builder.Build();
BootstrapGuard.Check(app.Configuration, app.Environment);

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseRequestLimits(limits);
IdempotencyFilter.UseIdempotencyBuffering(app);
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();
app.UseAuditTrail();

app.MapOpenApi();
app.MapScalarApiReference("/scalar");
app.MapPlatformHealth();
app.MapAuthApi(app.Environment);
app.MapClientsApi();
app.MapCatalogApi();
app.MapUnitsApi();
app.MapLicensesApi();
app.MapAdminApi();
app.MapVerificationApi();
app.MapHolderApi();
app.MapPublicApi();
app.MapAuditApi();
app.MapCorrectionsApi();
app.MapNotificationsApi();
app.MapWebhooksApi();
// The dashboard's routes are its own internals, not the platform's contract: left out of the OpenAPI document.
app.MapOrleansDashboard(routePrefix: "/dashboard").RequireAuthorization(Policies.Dashboard).ExcludeFromDescription();

app.Run();

/// <summary>Entry point, visible to the functional tests' <c>WebApplicationFactory</c>.</summary>
public partial class Program;
