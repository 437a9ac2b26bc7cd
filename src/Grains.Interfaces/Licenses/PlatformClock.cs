namespace OrleansLicenses.Licenses;

/// <summary>Civil dates of the platform are China Standard Time (UTC+8, no daylight saving).</summary>
public static class PlatformClock
{
    public static readonly TimeSpan Offset = TimeSpan.FromHours(8);

    public static DateOnly Today(TimeProvider time) => DateOnly.FromDateTime(time.GetUtcNow().ToOffset(Offset).DateTime);
}
