using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using OrleansLicenses.Hosting;

namespace OrleansLicenses.Sync;

/// <summary>The receiving library's record of the batches it applied (<c>sync_batches</c>), per source client and batch id.</summary>
public sealed class SyncBatchStore(NpgsqlDataSource dataSource, TimeProvider time)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The first result of this batch, or null when it was never applied.</summary>
    public async Task<SyncBatchResult?> FindAsync(string source, string batchId)
    {
        try
        {
            await using var cmd = dataSource.CreateCommand("SELECT result::text FROM sync_batches WHERE source = $1 AND batch_id = $2");
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = source });
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = batchId });
            return await cmd.ExecuteScalarAsync() is string json ? JsonSerializer.Deserialize<SyncBatchResult>(json, Json) : null;
        }
        catch (NpgsqlException e)
        {
            throw StorageFailures.Unavailable(e);
        }
    }

    /// <summary>Records the batch's result after its records were applied (a second record of the same batch keeps the first).</summary>
    public async Task SaveAsync(string source, SyncBatchResult result)
    {
        try
        {
            await using var cmd = dataSource.CreateCommand("""
                INSERT INTO sync_batches (source, batch_id, received_at, result) VALUES ($1, $2, $3, $4)
                ON CONFLICT (source, batch_id) DO NOTHING
                """);
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = source });
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = result.BatchId });
            cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = time.GetUtcNow() });
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = JsonSerializer.Serialize(result, Json), NpgsqlDbType = NpgsqlDbType.Json });
            await cmd.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException e)
        {
            throw StorageFailures.Unavailable(e);
        }
    }
}
