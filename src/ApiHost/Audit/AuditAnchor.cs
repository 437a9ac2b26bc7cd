using System.Text.Json;
using Npgsql;

namespace OrleansLicenses.ApiHost.Audit;

/// <summary>
/// The audit trail's anchor outside PostgreSQL. Checkpoints live in the database, so whoever owns the schema can
/// delete the newest checkpoints together with the records after them, and the chain left behind verifies. Each
/// checkpoint this host signs is therefore also appended — one JSON line, flushed to disk — to
/// <see cref="AuditSettings.AnchorFile"/> (a path on storage the database's administrators cannot rewrite: another
/// volume, a WORM mount, a file shipped off the machine). The verifier then checks every anchored checkpoint against
/// the database (present, same hash and signature, not beyond the end of the chain), and checks checkpoint
/// continuity against <see cref="AuditSettings.CheckpointIntervalSeconds"/>: records that waited far longer than the
/// interval for a checkpoint are reported as gaps (a checkpoint removed, or the checkpointer stopped).
/// </summary>
public sealed class AuditAnchor
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly Lock gate = new();

    public AuditAnchor(string? path, int intervalSeconds)
    {
        Path = string.IsNullOrWhiteSpace(path) ? null : path;
        IntervalSeconds = intervalSeconds;
    }

    public static AuditAnchor From(AuditSettings settings) => new(settings.AnchorFile, settings.CheckpointIntervalSeconds);

    public string? Path { get; }

    public int IntervalSeconds { get; }

    /// <summary>One anchored checkpoint, as the file keeps it.</summary>
    public sealed record Line(long Seq, string Hash, DateTimeOffset CreatedAt, string KeyId, string Mac);

    /// <summary>Appends a checkpoint the database has committed; the line is on disk when this returns.</summary>
    public void Append(long seq, byte[] hash, DateTimeOffset createdAt, string keyId, byte[] mac)
    {
        if (Path is null)
        {
            return;
        }

        var line = JsonSerializer.Serialize(new Line(seq, Convert.ToHexStringLower(hash), createdAt, keyId, Convert.ToBase64String(mac)), Json) + "\n";
        lock (gate)
        {
            using var file = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read);
            file.Write(System.Text.Encoding.UTF8.GetBytes(line));
            file.Flush(flushToDisk: true);
        }
    }

    /// <summary>What the anchor file says against what the database holds: the first disagreement, if any.</summary>
    internal AuditBreak? Check(IReadOnlyList<ChainStore.StoredCheckpoint> checkpoints, long chainEnd)
    {
        if (Path is null)
        {
            return null;
        }

        if (!File.Exists(Path))
        {
            return checkpoints.Count == 0 ? null
                : new AuditBreak(checkpoints[0].Seq, AuditBreakReasons.AnchorMismatch, $"the anchor file {Path} is missing");
        }

        var stored = checkpoints.ToDictionary(c => c.Seq);
        var number = 0;
        foreach (var text in File.ReadLines(Path))
        {
            number++;
            if (text.Length == 0)
            {
                continue;
            }

            Line? line;
            try
            {
                line = JsonSerializer.Deserialize<Line>(text, Json);
            }
            catch (JsonException)
            {
                line = null;
            }

            if (line is null)
            {
                return new AuditBreak(0, AuditBreakReasons.AnchorMismatch, $"line {number} of the anchor file is not a checkpoint");
            }

            if (line.Seq > chainEnd)
            {
                return new AuditBreak(chainEnd + 1, AuditBreakReasons.Truncated,
                    $"the anchor file names a checkpoint at record {line.Seq}, but the chain ends at record {chainEnd}");
            }

            if (!stored.TryGetValue(line.Seq, out var cp) || Convert.ToHexStringLower(cp.Hash) != line.Hash || Convert.ToBase64String(cp.Mac) != line.Mac)
            {
                return new AuditBreak(line.Seq, AuditBreakReasons.AnchorMismatch,
                    $"the checkpoint at record {line.Seq} in the anchor file is missing from the database or differs");
            }
        }

        return null;
    }

    /// <summary>
    /// Main-chain records that waited more than twice the interval (and a minute) for the next checkpoint, as
    /// "after record N: X minutes without a checkpoint". Empty when the checkpointer is off.
    /// </summary>
    public async Task<List<string>> GapsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, DateTimeOffset now, CancellationToken ct)
    {
        var gaps = new List<string>();
        if (IntervalSeconds <= 0)
        {
            return gaps;
        }

        var allowed = TimeSpan.FromSeconds(2 * IntervalSeconds + 60);
        // For the genesis and every checkpoint: the next main-chain record's time and the next checkpoint's time.
        await using var cmd = new NpgsqlCommand("""
            SELECT c.seq, r.recorded_at, (SELECT min(n.created_at) FROM audit_checkpoints n WHERE n.seq > c.seq)
            FROM (SELECT 0::bigint AS seq UNION ALL SELECT seq FROM audit_checkpoints) c
            JOIN audit_records r ON r.chain_id = 'main' AND r.seq = c.seq + 1
            ORDER BY c.seq
            """, connection, tx);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var after = reader.GetInt64(0);
            var waiting = reader.GetFieldValue<DateTimeOffset>(1);
            var covered = reader.IsDBNull(2) ? now : reader.GetFieldValue<DateTimeOffset>(2);
            if (covered - waiting > allowed)
            {
                gaps.Add($"after record {after}: {(int)(covered - waiting).TotalMinutes} min without a checkpoint (interval {IntervalSeconds} s)");
            }
        }

        return gaps;
    }
}
