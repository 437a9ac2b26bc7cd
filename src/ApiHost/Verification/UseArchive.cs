using System.Text.Json;
using System.Threading.Channels;
using Npgsql;
using NpgsqlTypes;

namespace OrleansLicenses.ApiHost.Verification;

/// <summary>One verification's use record (用证存档).</summary>
public sealed record UseRecord(
    Guid Id, DateTimeOffset UsedAt, string UnitCode, string ClientId, string MatterCode, string Purpose, string Basis,
    string? AuthorizationId, string LicenseIdentifier, string LicenseVersion, string DocumentHash, string HolderKey,
    bool Valid, string Status, IReadOnlyList<string> Reasons, object Disclosed, object? Comparison);

/// <summary>
/// Group commit for the verification hot path: concurrent requests enqueue their use records, one writer inserts
/// everything queued in a single transaction, and each request is answered only after that transaction committed.
/// Throughput grows with load while every acknowledged verification is durable.
/// </summary>
public sealed partial class UseArchive(NpgsqlDataSource db, ILogger<UseArchive> logger) : BackgroundService
{
    private const int MaxBatch = 512;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly Channel<(UseRecord Record, TaskCompletionSource Done)> queue =
        Channel.CreateBounded<(UseRecord, TaskCompletionSource)>(new BoundedChannelOptions(10_000) { SingleReader = true });

    public async Task AppendAsync(UseRecord record, CancellationToken ct = default)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await queue.Writer.WriteAsync((record, done), ct);
        await done.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<(UseRecord Record, TaskCompletionSource Done)>(MaxBatch);
        while (await queue.Reader.WaitToReadAsync(stoppingToken))
        {
            while (batch.Count < MaxBatch && queue.Reader.TryRead(out var item))
            {
                batch.Add(item);
            }

            try
            {
                await WriteAsync(batch, stoppingToken);
                batch.ForEach(b => b.Done.TrySetResult());
            }
            catch (PostgresException e) when (batch.Count > 1 && !stoppingToken.IsCancellationRequested)
            {
                // One record the database refuses must not fail everyone else's verification: write them one by one.
                LogFailed(logger, batch.Count, e);
                foreach (var item in batch)
                {
                    await WriteOneAsync(item, stoppingToken);
                }
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException or OperationCanceledException)
            {
                LogFailed(logger, batch.Count, e);
                batch.ForEach(b => b.Done.TrySetException(e));
            }

            batch.Clear();
        }
    }

    private async Task WriteOneAsync((UseRecord Record, TaskCompletionSource Done) item, CancellationToken ct)
    {
        try
        {
            await WriteAsync([item], ct);
            item.Done.TrySetResult();
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException or OperationCanceledException)
        {
            item.Done.TrySetException(e);
        }
    }

    private async Task WriteAsync(List<(UseRecord Record, TaskCompletionSource Done)> batch, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var writer = await connection.BeginBinaryImportAsync("""
            COPY license_uses (id, used_at, unit_code, client_id, matter_code, purpose, basis, authorization_id, license_identifier,
                               license_version, document_hash, holder_key, valid, status, reasons, disclosed, comparison)
            FROM STDIN (FORMAT BINARY)
            """, ct);
        foreach (var (r, _) in batch)
        {
            await writer.StartRowAsync(ct);
            await writer.WriteAsync(r.Id, NpgsqlDbType.Uuid, ct);
            await writer.WriteAsync(r.UsedAt, NpgsqlDbType.TimestampTz, ct);
            await writer.WriteAsync(r.UnitCode, NpgsqlDbType.Varchar, ct);
            await writer.WriteAsync(r.ClientId, NpgsqlDbType.Text, ct);
            await writer.WriteAsync(r.MatterCode, NpgsqlDbType.Text, ct);
            await writer.WriteAsync(r.Purpose, NpgsqlDbType.Text, ct);
            await writer.WriteAsync(r.Basis, NpgsqlDbType.Text, ct);
            if (r.AuthorizationId is null)
            {
                await writer.WriteNullAsync(ct);
            }
            else
            {
                await writer.WriteAsync(r.AuthorizationId, NpgsqlDbType.Text, ct);
            }

            await writer.WriteAsync(r.LicenseIdentifier, NpgsqlDbType.Text, ct);
            await writer.WriteAsync(r.LicenseVersion, NpgsqlDbType.Char, ct);
            await writer.WriteAsync(r.DocumentHash, NpgsqlDbType.Text, ct);
            await writer.WriteAsync(r.HolderKey, NpgsqlDbType.Text, ct);
            await writer.WriteAsync(r.Valid, NpgsqlDbType.Boolean, ct);
            await writer.WriteAsync(r.Status, NpgsqlDbType.Text, ct);
            await writer.WriteAsync(r.Reasons.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text, ct);
            await writer.WriteAsync(JsonSerializer.Serialize(r.Disclosed, Json), NpgsqlDbType.Jsonb, ct);
            if (r.Comparison is null)
            {
                await writer.WriteNullAsync(ct);
            }
            else
            {
                await writer.WriteAsync(JsonSerializer.Serialize(r.Comparison, Json), NpgsqlDbType.Jsonb, ct);
            }
        }

        // COPY commits as one statement (autocommit): the batch is durable when CompleteAsync returns.
        await writer.CompleteAsync(ct);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Writing {Count} use records failed; the verifications are answered 503")]
    private static partial void LogFailed(ILogger logger, int count, Exception exception);
}
