using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using Xunit;

namespace OrleansLicenses.Tests.Signing;

/// <summary>
/// Runs the OpenSSL 3 command-line tool for independent verification. Missing or unsuitable OpenSSL
/// makes the calling test fail with a clear message; it never passes silently.
/// </summary>
internal sealed class OpenSslTool : IDisposable
{
    private static readonly Lazy<string> Version = new(ProbeVersion);

    private OpenSslTool(string directory) => Directory = directory;

    /// <summary>The scratch directory for this tool instance, deleted on dispose.</summary>
    public string Directory { get; }

    /// <summary>The GM/T 0009 default SM2 distinguishing id.</summary>
    public const string DistId = "distid:1234567812345678";

    /// <summary>Checks that OpenSSL 3 with SM2/SM3 is available and makes a scratch directory.</summary>
    public static OpenSslTool Create()
    {
        string version = Version.Value;
        Assert.True(
            version.StartsWith("OpenSSL 3.", StringComparison.Ordinal),
            $"OpenSSL 3.x is required for the independent SM2 checks, found: '{version}'.");

        string directory = Path.Combine(Path.GetTempPath(), "ol-sm2-openssl-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        return new OpenSslTool(directory);
    }

    /// <summary>A path inside the scratch directory.</summary>
    public string PathOf(string name) => Path.Combine(Directory, name);

    /// <summary>Writes bytes to a file in the scratch directory and returns its path.</summary>
    public string Write(string name, byte[] content)
    {
        string path = PathOf(name);
        File.WriteAllBytes(path, content);
        return path;
    }

    /// <summary>Runs <c>openssl</c> with the arguments in the scratch directory.</summary>
    public OpenSslResult Run(params string[] arguments) => RunIn(Directory, arguments);

    /// <summary>Runs openssl and asserts exit code 0.</summary>
    public OpenSslResult RunOk(params string[] arguments)
    {
        OpenSslResult result = Run(arguments);
        Assert.True(result.ExitCode == 0, $"openssl {string.Join(' ', arguments)} failed ({result.ExitCode}):\n{result.StandardOutput}\n{result.StandardError}");
        return result;
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static OpenSslResult RunIn(string workingDirectory, string[] arguments)
    {
        var start = new ProcessStartInfo("openssl")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("Process.Start returned null.");
        }
        catch (Win32Exception ex)
        {
            Assert.Fail(
                "The OpenSSL command-line tool 'openssl' was not found on PATH. The independent SM2/SM3 certificate and " +
                "signature checks need OpenSSL 3 (Debian: apt-get install openssl). " + ex.Message);
            throw;
        }

        using (process)
        {
            process.StandardInput.Close();
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"openssl {string.Join(' ', arguments)} did not finish within 60 s.");
            }

            process.WaitForExit();
            return new OpenSslResult(process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
        }
    }

    private static string ProbeVersion()
    {
        OpenSslResult result = RunIn(Path.GetTempPath(), ["version"]);
        Assert.True(result.ExitCode == 0, $"'openssl version' failed: {result.StandardError}");
        return result.StandardOutput.Trim();
    }
}

internal sealed record OpenSslResult(int ExitCode, string StandardOutput, string StandardError)
{
    public string All => StandardOutput + StandardError;
}
