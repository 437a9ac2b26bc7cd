namespace OrleansLicenses.Licenses;

/// <summary>
/// How many comparisons (比对) each verifying unit may make against one licence per hour. Comparing answers only
/// match/mismatch, and masked or undisclosed elements answer not-permitted, but a unit could still walk a value it may
/// see in part one candidate at a time; the budget makes that walk take years. Only answered comparisons spend it, so
/// a unit that is not entitled learns nothing from hitting it. Kept in the licence's activation (a deactivation
/// resets it — the masking rule, not the budget, is what keeps undisclosed values secret).
/// </summary>
public sealed class ComparisonBudget(int perHour)
{
    public const int DefaultPerHour = 30;
    private static readonly TimeSpan Window = TimeSpan.FromHours(1);
    private readonly Dictionary<string, Queue<DateTimeOffset>> spent = new(StringComparer.Ordinal);

    /// <summary>The unit still has a comparison left for now.</summary>
    public bool Allows(string unitCode, DateTimeOffset now) =>
        !spent.TryGetValue(unitCode, out var times) || Expire(times, now) < perHour;

    public void Spend(string unitCode, DateTimeOffset now)
    {
        if (!spent.TryGetValue(unitCode, out var times))
        {
            times = new Queue<DateTimeOffset>();
            spent[unitCode] = times;
        }

        Expire(times, now);
        times.Enqueue(now);
        if (spent.Count > 256)
        {
            foreach (var (unit, queue) in spent)
            {
                if (Expire(queue, now) == 0)
                {
                    spent.Remove(unit);
                }
            }
        }
    }

    private static int Expire(Queue<DateTimeOffset> times, DateTimeOffset now)
    {
        while (times.TryPeek(out var first) && now - first >= Window)
        {
            times.Dequeue();
        }

        return times.Count;
    }
}
