using Microsoft.Extensions.Logging;

namespace OrleansLicenses.Corrections;

/// <summary>
/// When a silo becomes active it escalates, from the read model, every open request whose stage passed its deadline
/// while nothing ran (a cluster outage spanning the deadline) and is not escalated yet. Reminders would also fire after
/// the restart, within one check period; this makes it happen at start-up. Each grain escalates at most once per stage,
/// so several silos sweeping at once, or a reminder firing too, cannot repeat an escalation.
/// </summary>
public sealed partial class CorrectionDeadlineSweep(
    IGrainFactory grains, CorrectionStore store, TimeProvider time, ILogger<CorrectionDeadlineSweep> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    private const int Batch = 500;

    private readonly CancellationTokenSource stopping = new();

    private Task? sweep;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(CorrectionDeadlineSweep), ServiceLifecycleStage.Active, Start, Stop);

    private Task Start(CancellationToken ct)
    {
        // In the background: start-up does not wait for it.
        sweep = SweepAsync(stopping.Token);
        return Task.CompletedTask;
    }

    private async Task Stop(CancellationToken ct)
    {
        await stopping.CancelAsync();
        if (sweep is { } running)
        {
            await running.WaitAsync(ct).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private async Task SweepAsync(CancellationToken ct)
    {
        try
        {
            var escalated = 0;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            bool more;
            do
            {
                // Escalated requests leave the query's result, so the next batch holds the rest.
                var due = await store.OverdueUnescalatedAsync(time.GetUtcNow(), Batch, ct);
                var fresh = due.Where(seen.Add).ToList();
                foreach (var id in fresh)
                {
                    if (await grains.GetGrain<ICorrectionGrain>(id).CheckDeadlineAsync())
                    {
                        escalated++;
                    }
                }

                more = due.Count == Batch && fresh.Count > 0;
            }
            while (more && !ct.IsCancellationRequested);

            LogSwept(logger, escalated);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            LogSweepFailed(logger, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Start-up deadline sweep escalated {Count} overdue correction requests")]
    private static partial void LogSwept(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Start-up deadline sweep failed; reminders still escalate overdue requests")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
