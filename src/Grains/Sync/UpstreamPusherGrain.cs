using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using OrleansLicenses.Access;
using OrleansLicenses.Hosting;

namespace OrleansLicenses.Sync;

/// <summary>One pusher per feed partition (integer key); placed by Orleans, kept alive by a reminder and the silos' keeper.</summary>
[SiloInternal]
public interface IUpstreamPusherGrain : IGrainWithIntegerKey, IRemindable
{
    /// <summary>Activates the pusher (if it is not active) and makes sure its keep-alive reminder exists.</summary>
    Task EnsureRunningAsync();
}

/// <summary>
/// Pushes one partition of the change feed to the upper library, in order: read the changes after the persisted cursor,
/// send them as one batch whose id names exactly those changes, and move the cursor only after the upper library
/// answered. A lost answer or a crash before the cursor moved sends the same batch again, which the upper library
/// recognises (same batch id) or ignores record by record (a licence never goes back), so nothing is lost and nothing
/// is applied twice. While the upper library is unreachable, attempts back off exponentially with jitter.
/// Records the upper library rejects (with their reasons) are logged and not sent again: a rejection is final.
/// </summary>
public sealed partial class UpstreamPusherGrain(
    FeedReader feed,
    PushCursorStore cursors,
    UpstreamClient upstream,
    IConfiguration configuration,
    TimeProvider time,
    ILogger<UpstreamPusherGrain> logger) : Grain, IUpstreamPusherGrain
{
    private const string KeepAlive = "upstream-push";
    private const int MaxBatchesPerTick = 20;

    private readonly Random jitter = new();
    private PushCursor? cursor;
    private int failures;
    private DateTimeOffset nextAttempt;
    private bool reminderChecked;
    private TimeSpan timerPeriod;
    private IGrainTimer? timer;

    private int Partition => (int)this.GetPrimaryKeyLong();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        StartTimer(Options().PollInterval);
        return Task.CompletedTask;
    }

    async Task IUpstreamPusherGrain.EnsureRunningAsync()
    {
        if (!reminderChecked)
        {
            // Survives a silo kill: the reminder service re-activates the pusher on a live silo.
            await this.RegisterOrUpdateReminder(KeepAlive, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
            reminderChecked = true;
        }
    }

    Task IRemindable.ReceiveReminder(string reminderName, TickStatus status) => Task.CompletedTask; // activation is the point

    private void StartTimer(TimeSpan period)
    {
        timer?.Dispose();
        timerPeriod = period;
        timer = this.RegisterGrainTimer(_ => TickAsync(), new GrainTimerCreationOptions(period, period) { KeepAlive = true, Interleave = false });
    }

    private UpstreamOptions Options() => configuration.GetSection(UpstreamOptions.Section).Get<UpstreamOptions>() ?? new UpstreamOptions();

    private async Task TickAsync()
    {
        var options = Options();
        if (options.PollInterval != timerPeriod && options.PollInterval > TimeSpan.Zero)
        {
            StartTimer(options.PollInterval);
        }

        if (!options.Enabled || Partition >= options.Partitions || time.GetUtcNow() < nextAttempt)
        {
            return;
        }

        try
        {
            var batches = 0;
            while (batches++ < MaxBatchesPerTick && await PushOnceAsync(options))
            {
                // a full batch went: more may be waiting
            }

            failures = 0;
        }
        catch (Exception e) when (e is UpstreamUnavailableException or Errors.ServiceUnavailableException)
        {
            failures++;
            var delay = Backoff.Delay(failures, options.MaxBackoff, jitter);
            nextAttempt = time.GetUtcNow() + delay;
            cursor = null; // read it again: another activation may have moved it
            LogRetry(logger, Partition, failures, delay.TotalSeconds, e.Message);
        }
    }

    /// <summary>Pushes the next batch; true when a full batch went (more may be waiting).</summary>
    private async Task<bool> PushOnceAsync(UpstreamOptions options)
    {
        cursor ??= await cursors.LoadAsync(Partition);
        var changes = await feed.ReadAsync(Partition, options.Partitions, cursor, options.BatchSize);
        if (changes.Count == 0)
        {
            return false;
        }

        var first = changes[0].Position;
        var last = changes[^1].Position;
        var batch = new SyncBatch($"p{Partition}-{first.Xid}.{first.Seq}-{last.Xid}.{last.Seq}", options.SourceRegion ?? "",
            [.. changes.Select(c => c.Record)]);
        var result = await upstream.PushAsync(options, batch, CancellationToken.None);
        var acknowledged = time.GetUtcNow();
        foreach (var change in changes)
        {
            LicenseMetrics.PushLag.Record(Math.Max(0, (acknowledged - change.Record.OccurredAt).TotalSeconds));
        }

        foreach (var rejection in result.Rejected)
        {
            LogRejected(logger, Partition, rejection.Identifier, rejection.LicenseSeq, rejection.Reason, rejection.Detail);
        }

        if (!await cursors.AdvanceAsync(Partition, cursor, last, changes.Count))
        {
            cursor = null; // another activation pushed these too; the upper library applied them once
            return false;
        }

        cursor = last;
        return changes.Count == options.BatchSize;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upstream push of partition {Partition} failed ({Failures} in a row), next attempt in {Seconds:F1} s: {Reason}")]
    private static partial void LogRetry(ILogger logger, int partition, int failures, double seconds, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "The upper library rejected {Identifier} change {LicenseSeq} of partition {Partition}: {Reason} ({Detail})")]
    private static partial void LogRejected(ILogger logger, int partition, string? identifier, int licenseSeq, string reason, string detail);
}
