using Microsoft.Extensions.Configuration;

namespace OrleansLicenses.Silo.Database;

/// <summary>
/// When the silo process applies <c>deploy/sql</c> (<c>Database:Migrations</c>): at every start, the default and what
/// <c>run.sh</c> does; only, then exit (a Kubernetes Job or a one-shot unit holding the owner's login); or never, then a
/// silo refuses to start while a migration is pending, so the silos need no owner credentials at all.
/// </summary>
public enum MigrationMode
{
    OnStart,
    Only,
    Verify,
}

public static class MigrationModes
{
    public const string Setting = "Database:Migrations";

    /// <exception cref="InvalidOperationException">The setting names no mode.</exception>
    public static MigrationMode Of(IConfiguration configuration) => configuration[Setting] switch
    {
        null or "" => MigrationMode.OnStart,
        var value when Enum.TryParse<MigrationMode>(value, ignoreCase: true, out var mode) && Enum.IsDefined(mode) => mode,
        var value => throw new InvalidOperationException($"{Setting} is '{value}'; expected OnStart, Only or Verify."),
    };
}
