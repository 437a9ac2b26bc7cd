namespace OrleansLicenses.Sync;

/// <summary>Exponential backoff with full-range jitter (half to one and a half of the step), capped.</summary>
public static class Backoff
{
    public static TimeSpan Delay(int failures, TimeSpan max, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var step = TimeSpan.FromMilliseconds(250 * Math.Pow(2, Math.Min(failures - 1, 16)));
        var capped = step < max ? step : max;
        return capped * (0.5 + random.NextDouble());
    }
}
