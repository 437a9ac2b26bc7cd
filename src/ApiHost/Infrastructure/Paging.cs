namespace OrleansLicenses.ApiHost.Infrastructure;

/// <summary>Page parameters, clamped: page from 1, size 1..100 (default 20).</summary>
public readonly record struct Paging(int Page, int PageSize)
{
    public const int MaxPageSize = 100;

    public int Offset => (Page - 1) * PageSize;

    public static Paging From(int? page, int? pageSize) =>
        new(Math.Clamp(page ?? 1, 1, 1_000_000), Math.Clamp(pageSize ?? 20, 1, MaxPageSize));
}

/// <summary>A page of results with the total count (a lower bound when <see cref="TotalIsLowerBound"/>).</summary>
public sealed record PagedResult<T>(IReadOnlyList<T> Items, int Page, int PageSize, long Total)
{
    /// <summary>True when more licences match than the search counts (the total is then the count cap).</summary>
    public bool TotalIsLowerBound { get; init; }
}
