namespace OrleansLicenses.Errors;

/// <summary>An exception and what it wraps, for classifying failures that arrive wrapped (Orleans, tasks, providers).</summary>
public static class ExceptionCauses
{
    // Deep enough for Orleans' wrappers around a provider's wrapper around the driver's exception.
    private const int MaxDepth = 8;

    /// <summary>The exception, its inner exceptions and each of an <see cref="AggregateException"/>'s, breadth first.</summary>
    public static IEnumerable<Exception> Of(Exception exception)
    {
        var pending = new Queue<(Exception, int)>([(exception, 0)]);
        while (pending.TryDequeue(out var item))
        {
            var (e, depth) = item;
            yield return e;
            if (depth == MaxDepth)
            {
                continue;
            }

            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions)
                {
                    pending.Enqueue((inner, depth + 1));
                }
            }
            else if (e.InnerException is { } inner)
            {
                pending.Enqueue((inner, depth + 1));
            }
        }
    }
}
