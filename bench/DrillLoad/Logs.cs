using System.Text.Json;

namespace OrleansLicenses.Drills;

/// <summary>One answer (or its absence) to one HTTP attempt.</summary>
internal sealed record Attempt(
    long T, double Ms, string Kind, int Api, int Status, string? Error, bool RetryAfter, string? Key, int Try, string? Code, string? Body);

/// <summary>
/// The clients' logs in one directory: <c>attempts.jsonl</c> (every attempt with its status code or client error and
/// timestamps), <c>acked-issues.csv</c> (Idempotency-Key, licence identifier, holder, API host, time) and
/// <c>acked-verifications.csv</c> (verification id, licence, outcome, API host, time), each line flushed as written.
/// </summary>
internal sealed class Logs : IDisposable
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };
    private readonly Lock gate = new();
    private readonly StreamWriter attempts;
    private readonly StreamWriter issues;
    private readonly StreamWriter verifications;
    private readonly StreamWriter unresolved;

    public Logs(string directory)
    {
        Directory.CreateDirectory(directory);
        attempts = Open(directory, "attempts.jsonl");
        issues = Open(directory, "acked-issues.csv");
        verifications = Open(directory, "acked-verifications.csv");
        unresolved = Open(directory, "unresolved-issues.csv");
    }

    public void Write(Attempt a)
    {
        var line = JsonSerializer.Serialize(a, Json);
        lock (gate)
        {
            attempts.WriteLine(line);
        }
    }

    public void Issued(string key, string licenseId, string holder, int api, long time, int tries)
    {
        lock (gate)
        {
            issues.WriteLine($"{key},{licenseId},{holder},{api},{time},{tries}");
        }
    }

    public void Verified(string verificationId, string licenseId, string outcome, int api, long time)
    {
        lock (gate)
        {
            verifications.WriteLine($"{verificationId},{licenseId},{outcome},{api},{time}");
        }
    }

    public void Unresolved(string key, string holder, string lastError)
    {
        lock (gate)
        {
            unresolved.WriteLine($"{key},{holder},{lastError}");
        }
    }

    public void Dispose()
    {
        attempts.Dispose();
        issues.Dispose();
        verifications.Dispose();
        unresolved.Dispose();
    }

    private static StreamWriter Open(string directory, string name) =>
        new(Path.Combine(directory, name), append: false) { AutoFlush = true };
}
