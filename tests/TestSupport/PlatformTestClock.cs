using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.Hosting;
using Orleans.Reminders;

namespace OrleansLicenses.Tests;

/// <summary>
/// The platform's calendar under test control, for the <see cref="TimeProvider"/> service of silos and API host.
/// </summary>
/// <remarks>
/// The unkeyed <see cref="TimeProvider"/> that the grains take is also the one Orleans 10 falls back to for its own
/// clocks (membership, messaging timeouts, activation collection, grain timers, reminders, directory). A bare
/// <see cref="FakeTimeProvider"/> there freezes the runtime: a cluster started with one never finished starting.
/// And a calendar ahead of the real clock, even by minutes, made a joining silo look overdue to membership, which
/// compares its own real-time start and "I am alive" stamps with that clock: the silo was evicted while joining.
/// So: the wall-clock time (<see cref="GetUtcNow"/>, what <c>PlatformClock.Today</c>, the grains and the API host
/// read) comes from the calendar the test controls; timestamps and timers stay on the system clock; and every
/// clock Orleans resolves by name (<see cref="TimeProviderNames"/>, reminders) is pinned to <see cref="TimeProvider.System"/>.
/// </remarks>
public sealed class PlatformTestClock(Func<DateTimeOffset> utcNow) : TimeProvider
{
    private static readonly string[] OrleansClocks =
    [
        .. typeof(TimeProviderNames).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!),
        ReminderTimeProviderNames.Reminders,
    ];

    /// <summary>A clock that reads the calendar a test moves by hand.</summary>
    public PlatformTestClock(FakeTimeProvider calendar)
        : this(calendar.GetUtcNow)
    {
    }

    private long offsetTicks;

    public override DateTimeOffset GetUtcNow() => utcNow().AddTicks(Interlocked.Read(ref offsetTicks));

    /// <summary>Moves the calendar forward for every host that reads this clock (instead of waiting in real time).</summary>
    public void Advance(TimeSpan by) => Interlocked.Add(ref offsetTicks, by.Ticks);

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    /// <summary>A silo configuration (for <c>TestClusters.StartAsync</c>) that makes this the silos' <see cref="TimeProvider"/>.</summary>
    public void Register(ISiloBuilder silo) => Register(silo.Services);

    /// <summary>Makes this the <see cref="TimeProvider"/> of a host (silo or API host), Orleans' own clocks excepted.</summary>
    public void Register(IServiceCollection services)
    {
        services.AddSingleton<TimeProvider>(this);
        foreach (var name in OrleansClocks)
        {
            services.AddKeyedSingleton<TimeProvider>(name, System);
        }
    }
}
