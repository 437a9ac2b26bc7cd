using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using OrleansLicenses.Idempotency;

namespace OrleansLicenses.Silo.Hosting;

/// <summary>
/// Idempotency results are kept for <see cref="IIdempotencyGrain.Retention"/> and are never read after that; this
/// hourly sweep deletes their grain-state rows an hour past the retention so the table does not grow forever.
/// Every silo may run it; the DELETE is idempotent.
/// </summary>
public sealed partial class IdempotencyCleanup(NpgsqlDataSource db, IOptions<ClusterOptions> cluster, TimeProvider time, ILogger<IdempotencyCleanup> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1), time);
        do
        {
            try
            {
                LogSwept(logger, await SweepAsync(stoppingToken));
            }
            catch (NpgsqlException e)
            {
                LogFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Deletes the expired records once; returns how many.</summary>
    public async Task<int> SweepAsync(CancellationToken ct = default)
    {
        // Records live in grain_states; ones an earlier version wrote to orleansstorage expire there.
        await using var batch = db.CreateBatch();
        var before = time.GetUtcNow() - IIdempotencyGrain.Retention - TimeSpan.FromHours(1);
        var current = new NpgsqlBatchCommand("DELETE FROM grain_states WHERE state_name = 'idempotency/idempotency' AND updated_at < $1");
        current.Parameters.AddWithValue(before);
        var legacy = new NpgsqlBatchCommand("""
            DELETE FROM orleansstorage
            WHERE serviceid = $1 AND graintypestring = 'idempotency/idempotency' AND modifiedon < $2
            """);
        legacy.Parameters.AddWithValue(cluster.Value.ServiceId);
        legacy.Parameters.AddWithValue(before);
        batch.BatchCommands.Add(current);
        batch.BatchCommands.Add(legacy);
        await batch.ExecuteNonQueryAsync(ct);
        return current.RecordsAffected + legacy.RecordsAffected;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Deleted {Count} expired idempotency records")]
    private static partial void LogSwept(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sweeping expired idempotency records failed; will retry in an hour")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
