using System.Text.Json;
using Npgsql;
using OrleansLicenses.Licenses;

namespace OrleansLicenses.Silo.Operations;

/// <summary>
/// <c>OrleansLicenses.Silo signatures-verify [--connection &lt;connection string&gt;] [--root &lt;root certificate, PEM or DER&gt;] [--json]</c>:
/// verifies every stored licence signature against its certificate chain without starting a silo
/// (<see cref="StoredSignatureVerifier"/>). The connection defaults to <c>ConnectionStrings__Postgres</c>. It lives in
/// the silo's executable because the signing and verification code is the silo's (the API host never references it).
/// Exit code 0: every signature verifies; 1: at least one does not (listed); 2: could not verify.
/// </summary>
public static class SignaturesCommandLine
{
    public const string Command = "signatures-verify";

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

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        string? connection = Environment.GetEnvironmentVariable("ConnectionStrings__Postgres"), rootFile = null;
        var json = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--connection" when i + 1 < args.Length: connection = args[++i]; break;
                case "--root" when i + 1 < args.Length: rootFile = args[++i]; break;
                case "--json": json = true; break;
                case "-h" or "--help":
                    await stdout.WriteLineAsync($"usage: {Command} [--connection <connection string>] [--root <root certificate file>] [--json]");
                    return 0;
                default:
                    await stderr.WriteLineAsync($"{Command}: unknown argument {args[i]}");
                    return 2;
            }
        }

        try
        {
            if (string.IsNullOrEmpty(connection))
            {
                throw new InvalidOperationException("no connection string (pass --connection or set ConnectionStrings__Postgres).");
            }

            var root = rootFile is null ? null : ReadCertificate(rootFile);
            await using var dataSource = NpgsqlDataSource.Create(connection);
            var report = await StoredSignatureVerifier.VerifyAsync(dataSource, root);
            if (json)
            {
                await stdout.WriteLineAsync(JsonSerializer.Serialize(report, Json));
            }
            else
            {
                await stdout.WriteLineAsync($"signatures {(report.Intact ? "intact" : "BROKEN")}: {report.Versions} version(s) of {report.Licenses} licence(s), "
                    + $"{report.FeedEntries} change-feed entr(ies), {report.FailureCount} failure(s); root sha256 {report.RootSha256} ({report.RootSource})");
                foreach (var failure in report.Failures)
                {
                    await stdout.WriteLineAsync($"  {failure.LicenseNumber} {failure.Identifier}: {failure.Reason}");
                }
            }

            return report.Intact ? 0 : 1;
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or ArgumentException or FormatException or IOException or TimeoutException)
        {
            await stderr.WriteLineAsync($"{Command}: could not verify: {e.Message}");
            return 2;
        }
    }

    private static byte[] ReadCertificate(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var text = System.Text.Encoding.ASCII.GetString(bytes);
        const string begin = "-----BEGIN CERTIFICATE-----", end = "-----END CERTIFICATE-----";
        var start = text.IndexOf(begin, StringComparison.Ordinal);
        if (start < 0)
        {
            return bytes; // DER
        }

        start += begin.Length;
        var stop = text.IndexOf(end, start, StringComparison.Ordinal);
        return stop < 0 ? throw new FormatException($"{path}: PEM certificate without its END line.") : Convert.FromBase64String(text[start..stop]);
    }
}
