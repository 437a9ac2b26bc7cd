namespace OrleansLicenses.Drills;

/// <summary>The mixed load of one drill: issuance and verification workers for a fixed time, then the in-flight issuances to their end.</summary>
internal static class LoadRun
{
    private const int IssuanceWorkers = 8;
    private const int VerificationWorkers = 12;

    public static async Task<int> RunAsync(Options options)
    {
        var directory = options.Text("out");
        using var api = new Api(options.Text("apis").Split(',', StringSplitOptions.RemoveEmptyEntries));
        using var logs = new Logs(directory);
        var pool = new LicensePool();
        foreach (var known in (options.OptionalText("known") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            pool.Load(known);
        }

        var timeout = TimeSpan.FromSeconds(options.Number("timeout", 10));
        var settings = new IssuanceSettings(options.Text("issuer-token"), options.Text("prefix"), (long)options.Number("holder-base", 0),
            options.Text("valid-from"), timeout, TimeSpan.FromSeconds(options.Number("retry-budget", 60)));
        var issuance = new IssuanceClient(api, logs, pool, settings);
        var verification = new VerificationClient(api, logs, pool, options.Text("verifier-token"), $"drill {settings.Prefix}", timeout);
        var issueRate = options.Number("issue-rate", 30) / IssuanceWorkers;
        var verifyRate = options.Number("verify-rate", 120) / VerificationWorkers;

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(options.Number("seconds", 30)));
        // A drill script may also end the load early with SIGTERM; in-flight issuances still run to their end.
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;
            stop.Cancel();
        });
        var workers = Enumerable.Range(0, IssuanceWorkers).Select(w => issuance.RunAsync(w, issueRate, stop.Token))
            .Concat(Enumerable.Range(0, VerificationWorkers).Select(w => verification.RunAsync(w, verifyRate, stop.Token)))
            .ToList();
        await Task.WhenAll(workers);
        Console.Error.WriteLine($"load {settings.Prefix}: done");
        return 0;
    }
}
