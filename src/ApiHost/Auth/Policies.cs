using OrleansLicenses.Access;

namespace OrleansLicenses.ApiHost.Auth;

/// <summary>Authorization policy names, applied to route groups.</summary>
public static class Policies
{
    public const string Admin = "admin";
    public const string Issuer = "issuer";
    public const string Verifier = "verifier";
    public const string Holder = "holder";
    public const string Sync = "sync";
    public const string SyncOrAdmin = "sync-or-admin";
    public const string IssuerOrAdmin = "issuer-or-admin";
    public const string IssuerAdminOrHolder = "issuer-admin-or-holder";
    public const string DocumentReaders = "document-readers";
    public const string AnyAuthenticated = "any-authenticated";
    public const string HolderOrVerifier = "holder-or-verifier";
    public const string CorrectionParties = "correction-parties";
    public const string UnitClientsOrAdmin = "unit-clients-or-admin";
    public const string Dashboard = "dashboard";

    public static IServiceCollection AddPlatformPolicies(this IServiceCollection services, IHostEnvironment environment)
    {
        services.AddAuthorizationBuilder()
            .AddPolicy(Admin, p => p.RequireRole(Roles.Admin))
            .AddPolicy(Issuer, p => p.RequireRole(Roles.Issuer))
            .AddPolicy(Verifier, p => p.RequireRole(Roles.Verifier))
            .AddPolicy(Holder, p => p.RequireRole(Roles.Holder))
            .AddPolicy(Sync, p => p.RequireRole(Roles.Sync))
            .AddPolicy(SyncOrAdmin, p => p.RequireRole(Roles.Sync, Roles.Admin))
            .AddPolicy(IssuerOrAdmin, p => p.RequireRole(Roles.Issuer, Roles.Admin))
            .AddPolicy(IssuerAdminOrHolder, p => p.RequireRole(Roles.Issuer, Roles.Admin, Roles.Holder))
            .AddPolicy(DocumentReaders, p => p.RequireRole(Roles.Issuer, Roles.Admin, Roles.Holder, Roles.Verifier))
            .AddPolicy(AnyAuthenticated, p => p.RequireAuthenticatedUser())
            .AddPolicy(HolderOrVerifier, p => p.RequireRole(Roles.Holder, Roles.Verifier))
            .AddPolicy(CorrectionParties, p => p.RequireRole(Roles.Holder, Roles.Verifier, Roles.Issuer, Roles.Admin))
            .AddPolicy(UnitClientsOrAdmin, p => p.RequireRole(Roles.Issuer, Roles.Verifier, Roles.Admin))
            // The dashboard shows live grain state: administrators only; in Development a browser on the
            // same machine may open it without a token (the API listens on loopback there).
            .AddPolicy(Dashboard, p => p.RequireAssertion(ctx =>
                ctx.User.IsInRole(Roles.Admin)
                || (environment.IsDevelopment() && ctx.Resource is HttpContext http
                    && http.Connection.RemoteIpAddress is { } ip && Infrastructure.ClientNetwork.IsLoopback(ip))));
        return services;
    }
}
