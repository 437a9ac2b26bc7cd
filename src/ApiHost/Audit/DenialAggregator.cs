using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using OrleansLicenses.Hosting;

namespace OrleansLicenses.ApiHost.Audit;

/// <summary>One aggregated row of <c>access_denials</c>: denials of one key in one minute.</summary>
/// <param name="Minute">The UTC minute the denials fell in.</param>
/// <param name="Client">IPv4 address or IPv6 /64 (<see cref="Infrastructure.ClientNetwork"/>), <c>other</c> or <c>dropped</c>.</param>
/// <param name="Status">401, 403 or 429 (0 on the <c>dropped</c> row).</param>
/// <param name="Actor"><c>anonymous</c>, or the masked subject of an authenticated caller that was forbidden.</param>
/// <param name="Action">The endpoint's name, else its route pattern, else <c>unmatched</c>.</param>
public readonly record struct DenialKey(DateTimeOffset Minute, string Client, int Status, string Actor, string Action);

public readonly record struct DenialCount(DenialKey Key, long Count);

/// <summary>
/// Counts denied requests in memory, per <see cref="DenialKey"/>, for <see cref="DenialFlusher"/> to write as one row per
/// key. Denials are what an unauthenticated flood produces, so this path is bounded and never waits: at most
/// <see cref="DenialAuditSettings.MaxKeys"/> keys; past them a denial is folded into the <c>other</c> key of its status
/// and minute (counted as overflowed); past the overflow room too it is only counted as dropped, and the number
/// dropped is written as a row of its own. <see cref="Record"/> takes a short lock and never throws.
/// </summary>
public sealed class DenialAggregator(IOptions<DenialAuditSettings> options, TimeProvider time)
{
    public const string Other = "other";
    public const string Dropped = "dropped";
    public const string Any = "*";

    private static readonly Meter Meter = new(TelemetryMeters.Audit);
    private static readonly Counter<long> Recorded = Meter.CreateCounter<long>("audit.denials.recorded");
    private static readonly Counter<long> Overflowed = Meter.CreateCounter<long>("audit.denials.overflowed");
    private static readonly Counter<long> DroppedCounter = Meter.CreateCounter<long>("audit.denials.dropped");

    private readonly int maxKeys = Math.Max(1, options.Value.MaxKeys);
    private readonly int maxOverflowKeys = Math.Max(1, options.Value.MaxOverflowKeys);
    private readonly Lock gate = new();
    private Dictionary<DenialKey, long> counts = [];
    private long dropped;
    private long overflowedTotal;
    private long droppedTotal;

    /// <summary>Denials folded into an <c>other</c> key since start.</summary>
    public long OverflowedTotal => Interlocked.Read(ref overflowedTotal);

    /// <summary>Denials not kept under any key since start.</summary>
    public long DroppedTotal => Interlocked.Read(ref droppedTotal);

    /// <summary>Keys held now (<c>other</c> keys included).</summary>
    public int KeyCount
    {
        get
        {
            lock (gate)
            {
                return counts.Count;
            }
        }
    }

    /// <summary>Counts one denial in the current minute.</summary>
    public void Record(string client, int status, string actor, string action)
    {
        Add(new DenialKey(CurrentMinute(), client, status, actor, action), 1);
        Recorded.Add(1);
    }

    /// <summary>Takes every count held (and a <c>dropped</c> row when denials were dropped) and starts afresh.</summary>
    public IReadOnlyList<DenialCount> Drain()
    {
        Dictionary<DenialKey, long> taken;
        long lost;
        lock (gate)
        {
            taken = counts;
            lost = dropped;
            counts = [];
            dropped = 0;
        }

        var rows = new List<DenialCount>(taken.Count + 1);
        rows.AddRange(taken.Select(p => new DenialCount(p.Key, p.Value)));
        if (lost > 0)
        {
            rows.Add(new DenialCount(new DenialKey(CurrentMinute(), Dropped, 0, Any, Any), lost));
        }

        return rows;
    }

    /// <summary>Puts back counts whose write failed, within the same bounds (a longer outage folds, then drops).</summary>
    public void Restore(IEnumerable<DenialCount> rows)
    {
        foreach (var row in rows)
        {
            if (row.Key.Client == Dropped)
            {
                AddDropped(row.Count);
            }
            else
            {
                Add(row.Key, row.Count);
            }
        }
    }

    private DateTimeOffset CurrentMinute()
    {
        var ticks = time.GetUtcNow().UtcTicks;
        return new DateTimeOffset(ticks - (ticks % TimeSpan.TicksPerMinute), TimeSpan.Zero);
    }

    private void Add(DenialKey key, long count)
    {
        lock (gate)
        {
            if (counts.TryGetValue(key, out var held))
            {
                counts[key] = held + count;
                return;
            }

            if (counts.Count < maxKeys)
            {
                counts[key] = count;
                return;
            }

            var other = new DenialKey(key.Minute, Other, key.Status, Any, Any);
            if (counts.TryGetValue(other, out held) || counts.Count < maxKeys + maxOverflowKeys)
            {
                counts[other] = held + count;
                overflowedTotal += count;
                Overflowed.Add(count);
                return;
            }
        }

        AddDropped(count);
    }

    private void AddDropped(long count)
    {
        lock (gate)
        {
            dropped += count;
            droppedTotal += count;
        }

        DroppedCounter.Add(count);
    }
}
