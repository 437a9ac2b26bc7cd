namespace OrleansLicenses.ApiHost.Auth;

/// <summary>Refuses to start outside Development with a missing, short or well-known bootstrap admin secret.</summary>
public static class BootstrapGuard
{
    private static readonly string[] WellKnown = ["admin", "password", "secret", "changeme", "admin123", "123456"];

    public static void Check(IConfiguration configuration, IHostEnvironment environment)
    {
        if (environment.IsDevelopment())
        {
            return;
        }

        var secret = configuration[$"{BootstrapSettings.Section}:AdminClientSecret"];
        if (string.IsNullOrEmpty(secret))
        {
            return; // No bootstrap admin at all: administrators must already be registered clients.
        }

        if (secret.Length < 24 || WellKnown.Contains(secret, StringComparer.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException(
                "Bootstrap:AdminClientSecret is too weak for a non-Development environment (at least 24 characters, not a default).");
        }
    }
}
