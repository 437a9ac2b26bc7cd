using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.Reminders;

namespace OrleansLicenses.Tests.Licenses;

/// <summary>
/// The platform's calendar under test control, for the silos' <see cref="TimeProvider"/> service.
/// </summary>
/// <remarks>
/// The unkeyed <see cref="TimeProvider"/> that the grains take is also the one Orleans 10 falls back to for its own
/// clocks (membership, messaging timeouts, activation collection, grain timers, reminders, directory). A bare
/// <see cref="FakeTimeProvider"/> there freezes the runtime: a cluster started with one never finished starting.
/// And a calendar ahead of the real clock, even by minutes, made a joining silo look overdue to membership, which
/// compares its own real-time start and "I am alive" stamps with that clock: the silo was evicted while joining.
/// So: the wall-clock time (<see cref="GetUtcNow"/>, what <c>PlatformClock.Today</c> and the grains read) comes from
/// the <see cref="FakeTimeProvider"/> the test moves; timestamps and timers stay on the system clock; and every
/// clock Orleans resolves by name (<see cref="TimeProviderNames"/>, reminders) is pinned to <see cref="TimeProvider.System"/>.
/// </remarks>
internal sealed class PlatformTestClock(FakeTimeProvider calendar) : TimeProvider
{
    private static readonly string[] OrleansClocks =
    [
        .. typeof(TimeProviderNames).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!),
        ReminderTimeProviderNames.Reminders,
    ];

    public override DateTimeOffset GetUtcNow() => calendar.GetUtcNow();

    public override TimeZoneInfo LocalTimeZone => calendar.LocalTimeZone;

    /// <summary>A silo configuration (for <c>TestClusters.StartAsync</c>) that makes this the silos' <see cref="TimeProvider"/>.</summary>
    public void Register(ISiloBuilder silo)
    {
        silo.Services.AddSingleton<TimeProvider>(this);
        foreach (var name in OrleansClocks)
        {
            silo.Services.AddKeyedSingleton<TimeProvider>(name, System);
        }
    }
}
