using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OrleansLicenses.Sync;

namespace OrleansLicenses.Silo.Operations;

/// <summary>
/// <c>OrleansLicenses.Silo reconcile --issuer &lt;credit code&gt; [--from yyyy-MM-dd] [--to yyyy-MM-dd]</c>: compares this
/// library's consistency digest of an issuer with the upper library's (<c>Upstream:*</c>, as the silos use it), finds
/// the issue days whose sub-digests differ, lists the licences that differ on those days, and pushes again only those
/// (their newest change, as an ordinary batch). Then it compares once more. Prints a JSON report.
/// Exit code 0: equal (at the end); 1: still different (e.g. licences only the upper library holds); 2: could not compare.
/// </summary>
public static class ReconcileCommandLine
{
    public const string Command = "reconcile";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static async Task<bool> TryRunAsync(string[] args)
    {
        if (args.Length == 0 || args[0] != Command)
        {
            return false;
        }

        Environment.ExitCode = await RunAsync(args[1..], Console.Out, Console.Error);
        return true;
    }

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        string? issuer = null;
        DateOnly? from = null, to = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--issuer" when i + 1 < args.Length: issuer = args[++i]; break;
                case "--from" when i + 1 < args.Length: from = DateOnly.ParseExact(args[++i], "yyyy-MM-dd", CultureInfo.InvariantCulture); break;
                case "--to" when i + 1 < args.Length: to = DateOnly.ParseExact(args[++i], "yyyy-MM-dd", CultureInfo.InvariantCulture); break;
                default:
                    await stderr.WriteLineAsync($"usage: {Command} --issuer <credit code> [--from yyyy-MM-dd] [--to yyyy-MM-dd]");
                    return 2;
            }
        }

        if (issuer is null)
        {
            await stderr.WriteLineAsync($"{Command}: --issuer is required");
            return 2;
        }

        var configuration = new ConfigurationBuilder().AddJsonFile("appsettings.json", optional: true).AddEnvironmentVariables().Build();
        var options = configuration.GetSection(UpstreamOptions.Section).Get<UpstreamOptions>() ?? new UpstreamOptions();
        var connection = configuration.GetConnectionString("Postgres");
        if (!options.Enabled || string.IsNullOrEmpty(connection))
        {
            await stderr.WriteLineAsync($"{Command}: set ConnectionStrings__Postgres and Upstream__BaseUrl, Upstream__ClientId, Upstream__ClientSecret (or _File), Upstream__SourceRegion");
            return 2;
        }

        var services = new ServiceCollection();
        services.AddHttpClient(UpstreamClient.HttpClientName);
        await using var provider = services.BuildServiceProvider();
        await using var dataSource = NpgsqlDataSource.Create(connection);
        var reconciler = new Reconciler(new DigestQuery(dataSource), new FeedReader(dataSource),
            new UpstreamClient(provider.GetRequiredService<IHttpClientFactory>(), TimeProvider.System), options);
        try
        {
            var report = await reconciler.RunAsync(issuer, from, to, CancellationToken.None);
            await stdout.WriteLineAsync(JsonSerializer.Serialize(report, Json));
            return report.EqualAfter ? 0 : 1;
        }
        catch (Exception e) when (e is UpstreamUnavailableException or NpgsqlException or Errors.ServiceUnavailableException)
        {
            await stderr.WriteLineAsync($"{Command}: {e.Message}");
            return 2;
        }
    }
}
