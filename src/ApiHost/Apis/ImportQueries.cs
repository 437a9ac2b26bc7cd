using Npgsql;
using OrleansLicenses.ApiHost.Infrastructure;

namespace OrleansLicenses.ApiHost.Apis;

/// <summary>An import's progress and errors, read from <c>imports</c> and <c>import_errors</c> (committed per chunk by the silo).</summary>
public static class ImportQueries
{
    public sealed record ImportRowProblem(int Line, string Field, string Message);

    /// <summary>
    /// <c>done</c> counts records processed (accepted or failed), <c>failed</c> those refused; <c>rate</c> is records per
    /// second since processing started (to the end, or to now while it runs).
    /// </summary>
    public sealed record ImportProgress(Guid Id, string Kind, string TypeCode, string Status, int Total, int Done, int Failed, int Accepted,
        double Rate, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, PagedResult<ImportRowProblem> Errors);

    public static async Task<ImportProgress?> ProgressAsync(NpgsqlDataSource db, Guid id, string issuerCode, Paging paging, DateTimeOffset now)
    {
        await using var batch = db.CreateBatch();
        var header = new NpgsqlBatchCommand("""
            SELECT kind, type_code, status, total, done, failed, created_at, started_at, finished_at FROM imports WHERE id = $1 AND issuer_code = $2
            """);
        header.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
        header.Parameters.Add(new NpgsqlParameter<string> { TypedValue = issuerCode });
        var rows = new NpgsqlBatchCommand("""
            SELECT e.line, e.field, e.message, count(*) OVER () FROM import_errors e
            WHERE e.import_id = $1 AND EXISTS (SELECT 1 FROM imports i WHERE i.id = $1 AND i.issuer_code = $2)
            ORDER BY e.line, e.field LIMIT $3 OFFSET $4
            """);
        rows.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
        rows.Parameters.Add(new NpgsqlParameter<string> { TypedValue = issuerCode });
        rows.Parameters.Add(new NpgsqlParameter<int> { TypedValue = paging.PageSize });
        rows.Parameters.Add(new NpgsqlParameter<int> { TypedValue = paging.Offset });
        batch.BatchCommands.Add(header);
        batch.BatchCommands.Add(rows);
        await using var reader = await batch.ExecuteReaderAsync();
        if (!await reader.ReadAsync())
        {
            return null;
        }

        var (kind, type, status) = (reader.GetString(0), reader.GetString(1), reader.GetString(2));
        var (total, done, failed) = (reader.GetInt32(3), reader.GetInt32(4), reader.GetInt32(5));
        var createdAt = reader.GetFieldValue<DateTimeOffset>(6);
        DateTimeOffset? startedAt = reader.IsDBNull(7) ? null : reader.GetFieldValue<DateTimeOffset>(7);
        DateTimeOffset? finishedAt = reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8);
        await reader.NextResultAsync();
        var problems = new List<ImportRowProblem>();
        long errorTotal = 0;
        while (await reader.ReadAsync())
        {
            problems.Add(new ImportRowProblem(reader.GetInt32(0), reader.GetString(1), reader.GetString(2)));
            errorTotal = reader.GetInt64(3);
        }

        var seconds = startedAt is { } start ? ((finishedAt ?? now) - start).TotalSeconds : 0;
        var rate = seconds > 0 ? Math.Round(done / seconds, 1) : 0;
        return new ImportProgress(id, kind, type, status, total, done, failed, done - failed, rate, createdAt, startedAt, finishedAt,
            new PagedResult<ImportRowProblem>(problems, paging.Page, paging.PageSize, errorTotal));
    }
}
