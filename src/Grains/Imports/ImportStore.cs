using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using OrleansLicenses.Errors;
using OrleansLicenses.Hosting;

namespace OrleansLicenses.Imports;

/// <summary>An import as stored: who uploaded it, what it holds and how far it has got.</summary>
public sealed record ImportHeader(Guid Id, string IssuerCode, string? RegionCode, string ClientId, string Kind, string TypeCode,
    string Status, int ProcessedThrough, int LastLine);

/// <summary>One stored record of an upload: its columns, or the reader's problem with it.</summary>
public sealed record StoredImportRow(int Line, IReadOnlyDictionary<string, string>? Columns, string? ProblemField, string? Problem);

/// <summary>A per-row error found while processing.</summary>
public sealed record ImportRowError(int Line, string Field, string Message);

/// <summary>
/// The silo's access to stored imports (<c>deploy/sql/0026_imports.sql</c>): reads an upload's records in line
/// order after the cursor and commits a processed chunk — its errors, the counts and the new cursor — in one transaction.
/// </summary>
public sealed class ImportStore(NpgsqlDataSource dataSource)
{
    public async Task<ImportHeader?> LoadAsync(Guid id)
    {
        try
        {
            await using var cmd = dataSource.CreateCommand("""
                SELECT issuer_code, region_code, client_id, kind, type_code, status, processed_through, last_line FROM imports WHERE id = $1
                """);
            cmd.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
            await using var reader = await cmd.ExecuteReaderAsync();
            return await reader.ReadAsync()
                ? new ImportHeader(id, reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(2), reader.GetString(3),
                    reader.GetString(4), reader.GetString(5), reader.GetInt32(6), reader.GetInt32(7))
                : null;
        }
        catch (NpgsqlException e)
        {
            throw StorageFailures.Unavailable(e);
        }
    }

    /// <summary>Up to <paramref name="limit"/> records after line <paramref name="after"/>, in line order.</summary>
    public async Task<IReadOnlyList<StoredImportRow>> ReadAsync(Guid id, int after, int limit)
    {
        try
        {
            await using var cmd = dataSource.CreateCommand("""
                SELECT line, record::text, problem_field, problem FROM import_rows WHERE import_id = $1 AND line > $2 ORDER BY line LIMIT $3
                """);
            cmd.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
            cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = after });
            cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
            var rows = new List<StoredImportRow>(limit);
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var columns = reader.IsDBNull(1) ? null : JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(1));
                rows.Add(new StoredImportRow(reader.GetInt32(0), columns, reader.IsDBNull(2) ? null : reader.GetString(2),
                    reader.IsDBNull(3) ? null : reader.GetString(3)));
            }

            return rows;
        }
        catch (NpgsqlException e)
        {
            throw StorageFailures.Unavailable(e);
        }
    }

    /// <summary>Marks the import running (the first chunk's start time) unless it already is.</summary>
    public async Task MarkRunningAsync(Guid id)
    {
        try
        {
            await using var cmd = dataSource.CreateCommand("""
                UPDATE imports SET status = 'running', started_at = coalesce(started_at, now()), updated_at = now() WHERE id = $1 AND status = 'queued'
                """);
            cmd.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
            await cmd.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException e)
        {
            throw StorageFailures.Unavailable(e);
        }
    }

    /// <summary>
    /// Commits a processed chunk: its errors, <paramref name="processed"/> more records done (<paramref name="failed"/> of
    /// them failed) and the cursor moved to <paramref name="through"/>, only if the cursor still stands at
    /// <paramref name="from"/> (a second activation that processed the same chunk commits nothing). Returns whether it did.
    /// </summary>
    public async Task<bool> CommitChunkAsync(Guid id, int from, int through, int processed, int failed, IReadOnlyList<ImportRowError> errors, bool last)
    {
        try
        {
            await using var batch = dataSource.CreateBatch();
            var progress = new NpgsqlBatchCommand("""
                UPDATE imports SET processed_through = $2, done = done + $3, failed = failed + $4, updated_at = now(),
                       status = CASE WHEN $5 THEN 'done' ELSE 'running' END,
                       started_at = coalesce(started_at, now()),
                       finished_at = CASE WHEN $5 THEN now() ELSE NULL END
                WHERE id = $1 AND processed_through = $6
                """);
            progress.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
            progress.Parameters.Add(new NpgsqlParameter<int> { TypedValue = through });
            progress.Parameters.Add(new NpgsqlParameter<int> { TypedValue = processed });
            progress.Parameters.Add(new NpgsqlParameter<int> { TypedValue = failed });
            progress.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = last });
            progress.Parameters.Add(new NpgsqlParameter<int> { TypedValue = from });
            batch.BatchCommands.Add(progress);
            // Errors only with the progress that counts them: the insert runs only if the cursor moved (one transaction).
            var rows = new NpgsqlBatchCommand("""
                INSERT INTO import_errors (import_id, line, field, message)
                SELECT $1, e.line, e.field, e.message FROM unnest($2::integer[], $3::text[], $4::text[]) AS e(line, field, message)
                WHERE EXISTS (SELECT 1 FROM imports WHERE id = $1 AND processed_through = $5)
                ON CONFLICT DO NOTHING
                """);
            rows.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
            rows.Parameters.Add(new NpgsqlParameter { Value = errors.Select(e => e.Line).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer });
            rows.Parameters.Add(new NpgsqlParameter { Value = errors.Select(e => e.Field).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            rows.Parameters.Add(new NpgsqlParameter { Value = errors.Select(e => e.Message).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            rows.Parameters.Add(new NpgsqlParameter<int> { TypedValue = through });
            batch.BatchCommands.Add(rows);
            await batch.ExecuteNonQueryAsync();
            return progress.RecordsAffected == 1;
        }
        catch (NpgsqlException e)
        {
            throw StorageFailures.Unavailable(e);
        }
    }
}
