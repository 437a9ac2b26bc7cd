using OrleansLicenses.Audit;
using System.Text.Json;
using Npgsql;

namespace OrleansLicenses.ApiHost.Audit;

/// <summary>
/// <c>OrleansLicenses.ApiHost audit-verify [--connection &lt;connection string&gt;] [--key &lt;base64&gt;] [--anchor &lt;anchor file&gt;] [--json]</c>:
/// verifies the audit chain without starting the host. Configuration as for the host (appsettings.json,
/// environment: <c>ConnectionStrings__Postgres</c>, <c>Audit__CheckpointKey</c>, <c>Audit__PreviousCheckpointKeys__0</c>).
/// Exit code 0: intact; 1: broken (the first broken link is printed); 2: could not verify.
/// </summary>
public static class AuditCommandLine
{
    public const string Command = "audit-verify";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Runs the command when <paramref name="args"/> starts with it; the exit code goes to <see cref="Environment.ExitCode"/>.</summary>
    public static async Task<bool> TryRunAsync(string[] args)
    {
        if (args.Length == 0 || args[0] != Command)
        {
            return false;
        }

        Environment.ExitCode = await RunAsync(args[1..], Console.Out, Console.Error);
        return true;
    }

    /// <summary>Runs <c>audit-verify</c> with <paramref name="args"/> (the command name already removed), writing to <paramref name="stdout"/> and <paramref name="stderr"/>.</summary>
    /// <param name="args">The command's arguments.</param>
    /// <param name="stdout">The report.</param>
    /// <param name="stderr">Errors, and the checkpoint gaps when the report is JSON.</param>
    /// <param name="clock">The verification time (gaps are measured up to it); the system clock when null.</param>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, TimeProvider? clock = null)
    {
        if (args.Any(a => a is "-h" or "--help"))
        {
            await stdout.WriteLineAsync($"usage: {Command} [--connection <connection string>] [--key <base64 checkpoint key>] [--json]");
            return 0;
        }

        var json = args.Contains("--json");
        var environment = Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT")
            ?? Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") ?? Environments.Production;
        var configuration = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddJsonFile($"appsettings.{environment}.json", optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(args.Where(a => a != "--json").ToArray(), new Dictionary<string, string>
            {
                ["--connection"] = "ConnectionStrings:Postgres",
                ["--key"] = $"{AuditSettings.Section}:{nameof(AuditSettings.CheckpointKey)}",
                ["--anchor"] = $"{AuditSettings.Section}:{nameof(AuditSettings.AnchorFile)}",
            })
            .Build();
        try
        {
            var connectionString = configuration.GetConnectionString("Postgres")
                ?? throw new InvalidOperationException("ConnectionStrings:Postgres is not configured (or pass --connection).");
            var settings = configuration.GetSection(AuditSettings.Section).Get<AuditSettings>() ?? new AuditSettings();
            var keys = new AuditKeys(settings, environment == Environments.Development);
            await using var dataSource = NpgsqlDataSource.Create(connectionString);
            var report = await new AuditVerifier(keys, clock ?? TimeProvider.System, AuditAnchor.From(settings)).VerifyAsync(dataSource);
            if (json)
            {
                await stdout.WriteLineAsync(JsonSerializer.Serialize(report, Json));
            }
            else if (report.FirstBreak is { } broken)
            {
                await stdout.WriteLineAsync($"audit chain BROKEN at record {broken.Seq}: {broken.Reason}: {broken.Detail}");
                await stdout.WriteLineAsync($"{report.RecordsChecked} record(s) verified before the break; head {report.HeadSeq}; {report.Checkpoints} checkpoint(s)");
            }
            else
            {
                await stdout.WriteLineAsync($"audit chain intact: {report.RecordsChecked} record(s), head {report.HeadSeq}, "
                    + $"{report.Checkpoints} checkpoint(s){(report.LastCheckpointSeq is { } last ? $", the last at record {last}" : "")}");
            }

            // With --json the gaps are in the report; the plain lines go to stderr so stdout stays one JSON document.
            foreach (var gap in report.CheckpointGaps ?? [])
            {
                await (json ? stderr : stdout).WriteLineAsync($"checkpoint gap: {gap}");
            }

            return report.Intact ? 0 : 1;
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or ArgumentException or FormatException or TimeoutException)
        {
            await stderr.WriteLineAsync($"{Command}: could not verify: {e.Message}");
            return 2;
        }
    }
}
