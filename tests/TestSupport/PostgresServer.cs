using System.Diagnostics;
using Npgsql;

namespace OrleansLicenses.Tests;

/// <summary>
/// A throwaway PostgreSQL server for one test run: <c>initdb</c> in a temporary folder, a free loopback port,
/// started as a non-root OS user (PostgreSQL refuses root) and removed at the end of the run.
/// Binaries come from <c>PG_BIN</c> or the newest <c>/usr/lib/postgresql/*/bin</c>.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private static readonly Lazy<Task<PostgresServer>> SharedServer = new(() => StartAsync());
    private readonly string binDir;
    private readonly string root;
    private readonly string? runAs;
    private int stopped;

    private PostgresServer(string binDir, string root, string? runAs, int port)
    {
        this.binDir = binDir;
        this.root = root;
        this.runAs = runAs;
        Port = port;
    }

    public int Port { get; }

    private string DataDir => Path.Combine(root, "data");

    /// <summary>The server shared by every test of this process; stopped and deleted when the process exits.</summary>
    public static Task<PostgresServer> Shared => SharedServer.Value;

    public string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Database = database,
            Username = "postgres",
            Pooling = true,
            MaxPoolSize = 50,
            Timeout = 5,
            CommandTimeout = 30,
        }.ConnectionString;

    public static async Task<PostgresServer> StartAsync()
    {
        var bin = FindBinaries();
        RemoveLeftovers();
        var root = Path.Combine(Path.GetTempPath(), $"ol-pg-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        var runAs = Environment.UserName == "root" ? "postgres" : null;
        if (runAs is not null)
        {
            await Run("chown", ["-R", $"{runAs}:{runAs}", root], null);
        }

        var port = Ports.Free();
        var server = new PostgresServer(bin, root, runAs, port);
        await server.Exec("initdb", ["-D", server.DataDir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]);
        await server.StartServerAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return server;
    }

    public async Task StartServerAsync()
    {
        // fsync off: a test server's durability against OS crashes is irrelevant; commits are still synchronous.
        // 1500 connections: every in-process cluster (two silos and a client, each with pools) of the parallel test
        // classes shares this one server; with the correction-workflow clusters the Grains.Tests run exceeded 300,
        // and with the two-library (aggregation) and import clusters the ApiHost.Tests run exceeded 600.
        var options = $"-p {Port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=1500 -c shared_buffers=64MB";
        await Exec("pg_ctl", ["-D", DataDir, "-l", Path.Combine(root, "server.log"), "-o", options, "-w", "-t", "60", "start"]);
        Volatile.Write(ref stopped, 0);
    }

    /// <summary>Stops the server (fast shutdown); <see cref="StartServerAsync"/> brings it back with its data.</summary>
    public Task StopServerAsync() => Exec("pg_ctl", ["-D", DataDir, "-m", "fast", "-w", "stop"]);

    /// <summary>Stops the server as a crash would (<c>pg_ctl -m immediate</c>): no checkpoint, connections cut.</summary>
    /// <remarks>The test process's idle pooled connections died with it; they are dropped, so the test's own queries after
    /// the restart do not pick up a dead one (a silo's pools are its own: each silo has its own application name).</remarks>
    public async Task CrashServerAsync()
    {
        await Exec("pg_ctl", ["-D", DataDir, "-m", "immediate", "-w", "stop"]);
        NpgsqlConnection.ClearAllPools();
    }

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string? name = null)
    {
        name ??= $"t_{Guid.NewGuid():N}";
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await cmd.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref stopped, 1) == 0)
        {
            try
            {
                await Exec("pg_ctl", ["-D", DataDir, "-m", "immediate", "-w", "stop"]);
            }
            catch (InvalidOperationException)
            {
                // Already stopped.
            }
        }

        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>
    /// A test process that is killed cannot delete its server's folder: sweep folders of earlier runs whose server
    /// is no longer running (no postmaster.pid, or its process is gone).
    /// </summary>
    private static void RemoveLeftovers()
    {
        foreach (var dir in Directory.GetDirectories(Path.GetTempPath(), "ol-pg-*"))
        {
            try
            {
                var pidFile = Path.Combine(dir, "data", "postmaster.pid");
                var running = File.Exists(pidFile)
                    && int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), out var pid)
                    && Directory.Exists($"/proc/{pid}");
                if (!running && Directory.GetCreationTimeUtc(dir) < DateTime.UtcNow.AddMinutes(-1))
                {
                    Directory.Delete(dir, recursive: true);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Someone else's or in use: leave it.
            }
        }
    }

    private Task Exec(string tool, string[] args)
    {
        var exe = Path.Combine(binDir, tool);
        return runAs is null ? Run(exe, args, root) : Run("runuser", ["-u", runAs, "--", exe, .. args], root);
    }

    private static async Task Run(string file, string[] args, string? workingDirectory)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {file}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {process.ExitCode}: {await stderr}{await stdout}");
        }
    }

    private static string FindBinaries()
    {
        var configured = Environment.GetEnvironmentVariable("PG_BIN");
        if (!string.IsNullOrEmpty(configured) && File.Exists(Path.Combine(configured, "initdb")))
        {
            return configured;
        }

        var candidates = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
                .ToList()
            : [];
        return candidates.FirstOrDefault() ?? throw new InvalidOperationException(
            "PostgreSQL server binaries were not found (looked in PG_BIN and /usr/lib/postgresql/*/bin). "
            + "Install them with 'apt-get install -y postgresql' (or run .ci/run, which does), then run the tests again.");
    }

}
