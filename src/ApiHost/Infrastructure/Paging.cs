using Npgsql;

namespace OrleansLicenses.ApiHost.Infrastructure;

/// <summary>Page parameters, clamped: page from 1, size 1..100 (default 20).</summary>
public readonly record struct Paging(int Page, int PageSize)
{
    public const int MaxPageSize = 100;

    public int Offset => (Page - 1) * PageSize;

    public static Paging From(int? page, int? pageSize) =>
        new(Math.Clamp(page ?? 1, 1, 1_000_000), Math.Clamp(pageSize ?? 20, 1, MaxPageSize));

    /// <summary>
    /// Runs a list query for this page whose last column is the total (<c>count(*) OVER ()</c>) and maps each row;
    /// a page past the end has no row and so a total of 0.
    /// </summary>
    public async Task<PagedResult<T>> ReadAsync<T>(NpgsqlCommand command, Func<NpgsqlDataReader, T> row)
    {
        var items = new List<T>();
        long total = 0;
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            items.Add(row(reader));
            total = reader.GetInt64(reader.FieldCount - 1);
        }

        return new PagedResult<T>(items, Page, PageSize, total);
    }
}

/// <summary>A page of results with the total count (a lower bound when <see cref="TotalIsLowerBound"/>).</summary>
public sealed record PagedResult<T>(IReadOnlyList<T> Items, int Page, int PageSize, long Total)
{
    /// <summary>True when more licences match than the search counts (the total is then the count cap).</summary>
    public bool TotalIsLowerBound { get; init; }
}
