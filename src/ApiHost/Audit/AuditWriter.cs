using OrleansLicenses.Audit;
using OrleansLicenses.Hosting;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Npgsql;

namespace OrleansLicenses.ApiHost.Audit;

/// <summary>The audit record could not be made durable; the request it belongs to must not proceed.</summary>
public sealed class AuditUnavailableException : Exception
{
    public AuditUnavailableException()
        : this("The audit trail is unavailable.")
    {
    }

    public AuditUnavailableException(string message)
        : base(message)
    {
    }

    public AuditUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Group commit for the audit trail. Requests enqueue entries; one loop per API host takes what is waiting (up to
/// <see cref="AuditSettings.MaxBatchSize"/>), and in one transaction locks the chain head (<c>SELECT ... FOR UPDATE</c>,
/// so several API hosts extend one chain), numbers and hashes the entries after the head, inserts them, moves the
/// head and commits with <c>synchronous_commit = on</c>. Only then are the waiting requests completed with their
/// sequence numbers; if anything fails, every request of the batch gets <see cref="AuditUnavailableException"/>.
/// Nothing is acknowledged before the commit.
/// </summary>
public sealed partial class AuditWriter : BackgroundService
{
    private static readonly Meter Meter = new(TelemetryMeters.Audit);
    private static readonly Counter<long> Written = Meter.CreateCounter<long>("audit.records.written");
    private static readonly Counter<long> Batches = Meter.CreateCounter<long>("audit.batches.committed");
    private static readonly Counter<long> Failures = Meter.CreateCounter<long>("audit.records.failed");
    private static readonly Histogram<int> BatchSize = Meter.CreateHistogram<int>("audit.batch.size", unit: "{record}",
        description: "Audit records committed per transaction by this API host's writer (group commit).",
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512] });

    private readonly NpgsqlDataSource dataSource;
    private readonly AuditSettings settings;
    private readonly ILogger<AuditWriter> logger;
    private readonly Channel<Pending> queue;
    private long batchesCommitted;

    public AuditWriter(NpgsqlDataSource dataSource, IOptions<AuditSettings> options, ILogger<AuditWriter> logger)
    {
        this.dataSource = dataSource;
        settings = options.Value;
        this.logger = logger;
        queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(Math.Max(1, settings.QueueCapacity))
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>Transactions committed by this writer (for tests and diagnostics).</summary>
    public long BatchesCommitted => Interlocked.Read(ref batchesCommitted);

    /// <summary>Appends an entry and returns its sequence number once it is committed.</summary>
    /// <exception cref="AuditUnavailableException">The record was not committed within the write timeout, or the commit failed.</exception>
    public async Task<long> AppendAsync(AuditEntry entry)
    {
        var pending = new Pending(Normalize(entry), new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(Math.Max(1, settings.WriteTimeoutSeconds)));
        try
        {
            await queue.Writer.WriteAsync(pending, timeout.Token);
            return await pending.Completion.Task.WaitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            Failures.Add(1);
            throw new AuditUnavailableException("The audit record was not committed in time.");
        }
        catch (ChannelClosedException e)
        {
            throw new AuditUnavailableException("The audit writer has stopped.", e);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Let the loop commit what is queued, then end.
        queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Pending>(settings.MaxBatchSize);
        while (await queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < Math.Max(1, settings.MaxBatchSize) && queue.Reader.TryRead(out var item))
            {
                batch.Add(item);
            }

            try
            {
                var first = await CommitAsync(batch);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Completion.TrySetResult(first + i);
                }
            }
            catch (Exception e)
            {
                // Whatever went wrong, the loop survives and the batch's requests are refused (fail closed).
                Failures.Add(batch.Count);
                LogBatchFailed(logger, batch.Count, (e as PostgresException)?.SqlState ?? e.GetType().Name, e);
                var failure = new AuditUnavailableException("The audit record could not be committed.", e);
                foreach (var item in batch)
                {
                    item.Completion.TrySetException(failure);
                }
            }

            batch.Clear();
        }
    }

    /// <summary>Commits the batch after the current head and returns the first sequence number used.</summary>
    private async Task<long> CommitAsync(List<Pending> batch)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        long head;
        byte[] previous;
        await using (var lockHead = new NpgsqlBatch(connection, tx))
        {
            // Durable before acknowledged, whatever the server's default.
            lockHead.BatchCommands.Add(new NpgsqlBatchCommand("SET LOCAL synchronous_commit TO on"));
            lockHead.BatchCommands.Add(new NpgsqlBatchCommand("SELECT seq, hash FROM audit_chain_head WHERE id FOR UPDATE"));
            await using var reader = await lockHead.ExecuteReaderAsync();
            if (!await reader.ReadAsync())
            {
                throw new InvalidOperationException("The audit chain head row is missing.");
            }

            head = reader.GetInt64(0);
            previous = reader.GetFieldValue<byte[]>(1);
        }

        await using var insert = new NpgsqlBatch(connection, tx);
        var seq = head;
        foreach (var item in batch)
        {
            seq++;
            var e = item.Entry;
            var hash = AuditChain.Hash(previous, seq, e);
            var command = new NpgsqlBatchCommand("""
                INSERT INTO audit_records (seq, recorded_at, request_id, actor, actor_ref, role, unit_code, client_address, kind, action,
                                           resource, outcome, status, purpose, attempt_seq, prev_hash, hash)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
                """);
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = seq });
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = e.Time });
            foreach (var text in (ReadOnlySpan<string?>)[e.RequestId, e.Actor, e.ActorRef, e.Role, e.UnitCode, e.ClientAddress, e.Kind, e.Action, e.Resource, e.Outcome])
            {
                command.Parameters.Add(Text(text));
            }

            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer, Value = (object?)e.Status ?? DBNull.Value });
            command.Parameters.Add(Text(e.Purpose));
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint, Value = (object?)e.AttemptSeq ?? DBNull.Value });
            command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = previous });
            command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = hash });
            insert.BatchCommands.Add(command);
            previous = hash;
        }

        var moveHead = new NpgsqlBatchCommand("UPDATE audit_chain_head SET seq = $1, hash = $2, updated_at = now() WHERE id");
        moveHead.Parameters.Add(new NpgsqlParameter<long> { TypedValue = seq });
        moveHead.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = previous });
        insert.BatchCommands.Add(moveHead);
        await insert.ExecuteNonQueryAsync();
        await tx.CommitAsync();

        Interlocked.Increment(ref batchesCommitted);
        Batches.Add(1);
        Written.Add(batch.Count);
        BatchSize.Record(batch.Count);
        return head + 1;
    }

    /// <summary>
    /// One unstorable record must not fail the batch it shares with other requests: times are cut to microseconds
    /// in UTC, and texts lose what PostgreSQL or UTF-8 refuse (NUL, lone surrogates) and what is too long.
    /// </summary>
    private static AuditEntry Normalize(AuditEntry e) => e with
    {
        Time = AuditChain.Truncate(e.Time),
        RequestId = Storable(e.RequestId)!,
        Actor = Storable(e.Actor)!,
        ActorRef = Storable(e.ActorRef),
        Role = Storable(e.Role),
        UnitCode = Storable(e.UnitCode),
        ClientAddress = Storable(e.ClientAddress),
        Kind = Storable(e.Kind)!,
        Action = Storable(e.Action)!,
        Resource = Storable(e.Resource)!,
        Outcome = Storable(e.Outcome)!,
        Purpose = Storable(e.Purpose),
    };

    private static string? Storable(string? text)
    {
        const int max = 2048;
        if (text is null)
        {
            return null;
        }

        var chars = text.Length > max ? text.ToCharArray(0, max) : text.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            var c = chars[i];
            if (c == '\0')
            {
                chars[i] = '\uFFFD';
            }
            else if (char.IsHighSurrogate(c) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                chars[i] = '\uFFFD';
            }
        }

        return new string(chars);
    }

    private static NpgsqlParameter Text(string? value) =>
        new() { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text, Value = (object?)value ?? DBNull.Value };

    private sealed record Pending(AuditEntry Entry, TaskCompletionSource<long> Completion);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Audit batch of {Count} record(s) could not be committed ({Reason}); their requests are refused")]
    private static partial void LogBatchFailed(ILogger logger, int count, string reason, Exception exception);
}
