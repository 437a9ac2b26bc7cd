using System.Diagnostics;

namespace OrleansLicenses.Drills;

/// <summary>Spaces one worker's requests evenly; a worker that fell behind (a slow answer) does not burst to catch up.</summary>
internal sealed class Pacer(double perSecond)
{
    private readonly TimeSpan interval = TimeSpan.FromSeconds(1 / perSecond);
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private TimeSpan next = TimeSpan.Zero;

    public async Task WaitAsync(CancellationToken stop)
    {
        var now = clock.Elapsed;
        if (next > now)
        {
            await Task.Delay(next - now, stop);
            next += interval;
        }
        else
        {
            next = now + interval;
        }
    }
}
