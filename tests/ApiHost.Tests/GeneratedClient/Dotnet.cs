using System.Diagnostics;
using System.Text;

namespace OrleansLicenses.Tests.GeneratedClient;

/// <summary>The outcome of one <c>dotnet</c> command.</summary>
public sealed record DotnetResult(string Command, int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Everything the command said, for an assertion message.</summary>
    public string Transcript => $"$ {Command}\nexit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>Runs the <c>dotnet</c> CLI (the one running the tests) as a child process, with a time limit.</summary>
public static class Dotnet
{
    /// <summary>The CLI that started the test run (it sets DOTNET_HOST_PATH for its children), else the one on PATH.</summary>
    private static string Executable => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    public static async Task<DotnetResult> RunAsync(string workingDirectory, TimeSpan limit, IEnumerable<string> arguments, string? stdin = null)
    {
        var start = new ProcessStartInfo(Executable)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = stdin is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Quiet, offline-friendly tools: no first-run banner, no telemetry, no Kiota update check (there is no
        // internet here, only the package mirror) and no Kiota hints.
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["KIOTA_OFFLINE_ENABLED"] = "true";
        start.Environment["KIOTA_TUTORIAL_ENABLED"] = "false";
        start.Environment["KIOTA_CLI_TELEMETRY_OPTOUT"] = "true";
        var command = $"dotnet {string.Join(' ', start.ArgumentList)}";

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {command}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }

        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return new DotnetResult(command, -1, await stdout, $"{await stderr}\n(killed after {limit.TotalSeconds:0} s)");
        }

        return new DotnetResult(command, process.ExitCode, await stdout, await stderr);
    }
}
