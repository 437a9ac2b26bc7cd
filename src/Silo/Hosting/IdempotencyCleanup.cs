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
        await using var cmd = db.CreateCommand("""
            DELETE FROM orleansstorage
            WHERE serviceid = $1 AND graintypestring = 'idempotency/idempotency' AND modifiedon < $2
            """);
        cmd.Parameters.AddWithValue(cluster.Value.ServiceId);
        cmd.Parameters.AddWithValue(time.GetUtcNow() - IIdempotencyGrain.Retention - TimeSpan.FromHours(1));
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Deleted {Count} expired idempotency records")]
    private static partial void LogSwept(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sweeping expired idempotency records failed; will retry in an hour")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
