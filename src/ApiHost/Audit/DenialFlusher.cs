using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace OrleansLicenses.ApiHost.Audit;

/// <summary>
/// Writes the <see cref="DenialAggregator"/>'s counts to <c>access_denials</c> (migration 0022) every
/// <see cref="DenialAuditSettings.FlushIntervalSeconds"/>, and once more when the host stops: one row per key and
/// flush, in one statement. Apart from the request path: a failed write puts the counts back for the next flush.
/// </summary>
public sealed partial class DenialFlusher(
    DenialAggregator denials, NpgsqlDataSource dataSource, IOptions<DenialAuditSettings> options, TimeProvider time, ILogger<DenialFlusher> logger)
    : BackgroundService
{
    private readonly SemaphoreSlim flushing = new(1, 1);

    /// <summary>Writes what is counted now; returns the number of rows written (0 when nothing was counted or the write failed).</summary>
    public async Task<int> FlushAsync(CancellationToken ct = default)
    {
        await flushing.WaitAsync(ct);
        try
        {
            var rows = denials.Drain();
            if (rows.Count == 0)
            {
                return 0;
            }

            try
            {
                await WriteAsync(rows, ct);
                return rows.Count;
            }
            catch (Exception e)
            {
                // Whatever failed, the counts wait for the next flush and the timer loop survives.
                denials.Restore(rows);
                LogFlushFailed(logger, rows.Count, (e as PostgresException)?.SqlState ?? e.GetType().Name);
                return 0;
            }
        }
        finally
        {
            flushing.Release();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushAsync(cancellationToken);
    }

    public override void Dispose()
    {
        flushing.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Max(1, options.Value.FlushIntervalSeconds)), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task WriteAsync(IReadOnlyList<DenialCount> rows, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("""
            INSERT INTO access_denials (minute, client, status, actor, action, count, flushed_at)
            SELECT m, c, s, a, x, n, $7 FROM unnest($1, $2, $3, $4, $5, $6) AS t(m, c, s, a, x, n)
            """);
        cmd.Parameters.Add(new NpgsqlParameter<DateTime[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, TypedValue = [.. rows.Select(r => r.Key.Minute.UtcDateTime)] });
        cmd.Parameters.Add(new NpgsqlParameter<string[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, TypedValue = [.. rows.Select(r => r.Key.Client)] });
        cmd.Parameters.Add(new NpgsqlParameter<int[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer, TypedValue = [.. rows.Select(r => r.Key.Status)] });
        cmd.Parameters.Add(new NpgsqlParameter<string[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, TypedValue = [.. rows.Select(r => r.Key.Actor)] });
        cmd.Parameters.Add(new NpgsqlParameter<string[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, TypedValue = [.. rows.Select(r => r.Key.Action)] });
        cmd.Parameters.Add(new NpgsqlParameter<long[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint, TypedValue = [.. rows.Select(r => r.Count)] });
        cmd.Parameters.Add(new NpgsqlParameter<DateTime> { NpgsqlDbType = NpgsqlDbType.TimestampTz, TypedValue = time.GetUtcNow().UtcDateTime });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Denial counts ({Rows} row(s)) not written ({Reason}); kept for the next flush")]
    private static partial void LogFlushFailed(ILogger logger, int rows, string reason);
}
