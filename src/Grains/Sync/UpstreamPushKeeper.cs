using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace OrleansLicenses.Sync;

/// <summary>
/// On every silo, while it is active and an upstream is configured: every few seconds each partition's pusher is asked
/// to be running. Orleans places the pushers (one activation each, on any silo); after a silo kill the next call
/// activates the lost ones elsewhere within seconds, and their reminders do the same if every keeper were gone.
/// </summary>
public sealed partial class UpstreamPushKeeper(IGrainFactory grains, IConfiguration configuration, ILogger<UpstreamPushKeeper> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(5);
    private readonly CancellationTokenSource stopping = new();
    private Task? loop;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(UpstreamPushKeeper), ServiceLifecycleStage.Active, Start, Stop);

    private Task Start(CancellationToken ct)
    {
        loop = KeepAsync(stopping.Token);
        return Task.CompletedTask;
    }

    private async Task Stop(CancellationToken ct)
    {
        await stopping.CancelAsync();
        if (loop is { } running)
        {
            await running.WaitAsync(ct).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private async Task KeepAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var options = configuration.GetSection(UpstreamOptions.Section).Get<UpstreamOptions>() ?? new UpstreamOptions();
            if (options.Enabled)
            {
                try
                {
                    await Task.WhenAll(Enumerable.Range(0, options.Partitions).Select(p => grains.GetGrain<IUpstreamPusherGrain>(p).EnsureRunningAsync()));
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogFailed(logger, e.Message);
                }
            }

            try
            {
                await Task.Delay(Period, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not reach the upstream pushers: {Reason}")]
    private static partial void LogFailed(ILogger logger, string reason);
}
