using System.Globalization;
using Microsoft.Extensions.Time.Testing;

namespace OrleansLicenses.Tests;

/// <summary>
/// The date the tests run at. Unset, it is the real date; <c>OL_TEST_TODAY=2032-01-01</c> moves every clock the test
/// fixtures inject (silos, API host, and the hand-moved calendars of expiry tests) to that China date, so a run
/// today proves the suite also passes next year and in five years. Tests build every date a rule compares with
/// today from <see cref="Today"/> (or the fixture's clock), never from a literal.
/// </summary>
public static class TestCalendar
{
    /// <summary>The environment variable that moves the tests' calendar: a date, yyyy-MM-dd (China date).</summary>
    public const string Variable = "OL_TEST_TODAY";

    private static readonly TimeSpan China = TimeSpan.FromHours(8);

    /// <summary>Whole days between the tests' calendar and the real one (0 when <see cref="Variable"/> is unset).
    /// Whole days keep the time of day real, so only the calendar moves.</summary>
    public static int ShiftDays { get; } = ReadShift();

    /// <summary>The clock of test silos (and the default of the tests' own dates): the real clock moved by <see cref="ShiftDays"/>.</summary>
    public static PlatformTestClock Clock { get; } = NewClock();

    /// <summary>A clock of its own for one deployment (silos and API host), which its tests may <see cref="PlatformTestClock.Advance"/>
    /// without moving anyone else's: the real clock moved by <see cref="ShiftDays"/>.</summary>
    public static PlatformTestClock NewClock() => new(() => TimeProvider.System.GetUtcNow().AddDays(ShiftDays));

    /// <summary>The platform's today (China date) when the test run started.</summary>
    public static DateOnly Today { get; } = ChinaDate(Clock.GetUtcNow());

    /// <summary>10:00 in China (02:00 UTC) on <see cref="Today"/>: where hand-moved calendars start, the same date
    /// in UTC and in China, so a test can step whole days without crossing a date line by accident.</summary>
    public static DateTimeOffset Start { get; } = new(Today.ToDateTime(new TimeOnly(2, 0)), TimeSpan.Zero);

    /// <summary>A calendar for tests that move time by hand, starting at <see cref="Start"/> (plus <paramref name="days"/>).</summary>
    public static FakeTimeProvider NewCalendar(int days = 0) => new(Start.AddDays(days));

    /// <summary>The China date of an instant.</summary>
    public static DateOnly ChinaDate(DateTimeOffset instant) => DateOnly.FromDateTime(instant.ToOffset(China).DateTime);

    /// <summary>An ISO date (yyyy-MM-dd) <paramref name="days"/> from <see cref="Today"/>, for request bodies.</summary>
    public static string Iso(int days = 0) => Today.AddDays(days).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static int ReadShift()
    {
        var value = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(value))
        {
            return 0;
        }

        if (!DateOnly.TryParseExact(value.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var wanted))
        {
            throw new InvalidOperationException($"{Variable} must be a date (yyyy-MM-dd), not '{value}'.");
        }

        return wanted.DayNumber - ChinaDate(TimeProvider.System.GetUtcNow()).DayNumber;
    }
}
