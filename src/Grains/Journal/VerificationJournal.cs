using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using OrleansLicenses.Audit;
using OrleansLicenses.Errors;

namespace OrleansLicenses.Journal;

/// <summary>
/// The silo's group-commit writer for verifications: many verifications, one transaction. Each append is a use
/// record (用证存档) and its audit record; one loop per silo takes what is waiting, and in ONE transaction copies the
/// use records, appends the audit records to this silo's own hash chain (<see cref="ChainId"/>, its head a row no
/// other writer touches) and moves the chain head; only after the commit are the verifications answered. A failure
/// completes no waiter as success, and a batch refused because of one bad record is retried record by record, so
/// only that record's verification fails. Nothing here serializes the cluster: every silo has its own chain.
/// </summary>
public sealed partial class VerificationJournal : BackgroundService
{
    private const int MaxBatch = 512;
    private static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(5);

    private readonly NpgsqlDataSource dataSource;
    private readonly ILogger<VerificationJournal> logger;
    private readonly Channel<Pending> queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(20_000) { SingleReader = true });
    private readonly string writer;
    private bool registered;
    private long headSeq;
    private byte[] headHash;
    private long pending;

    public VerificationJournal(NpgsqlDataSource dataSource, ILocalSiloDetails silo, ILogger<VerificationJournal> logger)
    {
        this.dataSource = dataSource;
        this.logger = logger;
        ChainId = $"silo-{Guid.CreateVersion7():N}";
        writer = $"{silo.SiloAddress.ToParsableString()} {DateTimeOffset.UtcNow:O}";
        headHash = AuditChain.GenesisOf(ChainId);
    }

    /// <summary>This silo process's audit chain.</summary>
    public string ChainId { get; }

    /// <summary>Appends waiting to be committed (for tests and diagnostics).</summary>
    public long Waiting => Interlocked.Read(ref pending);

    /// <summary>Commits the use record (if any) and the audit record in one transaction; returns the audit record's seq.</summary>
    /// <exception cref="ServiceUnavailableException">Not committed (database failure or timeout): the verification must not be answered.</exception>
    public async Task<long> AppendAsync(AuditEntry audit, UseRecord? use)
    {
        var item = new Pending(audit with { Time = AuditChain.Truncate(audit.Time) }, use,
            new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously));
        using var timeout = new CancellationTokenSource(WriteTimeout);
        Interlocked.Increment(ref pending);
        try
        {
            await queue.Writer.WriteAsync(item, timeout.Token);
            return await item.Done.Task.WaitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new ServiceUnavailableException("The use record was not committed in time.") { Code = "audit.unavailable" };
        }
        catch (ChannelClosedException e)
        {
            throw new ServiceUnavailableException("The silo is stopping.", e) { Code = "audit.unavailable" };
        }
        finally
        {
            Interlocked.Decrement(ref pending);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Pending>(MaxBatch);
        while (await queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < MaxBatch && queue.Reader.TryRead(out var item))
            {
                batch.Add(item);
            }

            try
            {
                Complete(batch, await CommitAsync(batch));
            }
            catch (PostgresException e) when (batch.Count > 1 && e.SqlState != PostgresErrorCodes.InsufficientPrivilege)
            {
                // One record the database refuses must not fail everyone else's verification.
                LogFailed(logger, batch.Count, e.SqlState, e);
                foreach (var item in batch)
                {
                    await CommitOneAsync(item);
                }
            }
            catch (Exception e)
            {
                Fail(batch, e);
            }

            batch.Clear();
        }
    }

    private async Task CommitOneAsync(Pending item)
    {
        try
        {
            Complete([item], await CommitAsync([item]));
        }
        catch (Exception e)
        {
            Fail([item], e);
        }
    }

    /// <summary>One transaction for the batch; the in-memory head moves only after the commit.</summary>
    private async Task<long> CommitAsync(List<Pending> batch)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        if (!registered)
        {
            await using var register = JournalRows.RegisterChain(connection, ChainId, writer, headHash);
            await register.ExecuteNonQueryAsync();
            registered = true;
        }

        await using var tx = await connection.BeginTransactionAsync();
        if (batch.Any(b => b.Use is not null))
        {
            await JournalRows.CopyUsesAsync(connection, batch.Where(b => b.Use is not null).Select(b => b.Use!), CancellationToken.None);
        }

        await using var insert = new NpgsqlBatch(connection, tx);
        insert.BatchCommands.Add(new NpgsqlBatchCommand("SET LOCAL synchronous_commit TO on"));
        var seq = headSeq;
        var previous = headHash;
        foreach (var item in batch)
        {
            seq++;
            var hash = AuditChain.Hash(previous, seq, item.Audit);
            insert.BatchCommands.Add(JournalRows.Audit(ChainId, seq, item.Audit, previous, hash));
            previous = hash;
        }

        insert.BatchCommands.Add(JournalRows.MoveHead(ChainId, seq, previous));
        await insert.ExecuteNonQueryAsync();
        await tx.CommitAsync();
        var first = headSeq + 1;
        (headSeq, headHash) = (seq, previous);
        return first;
    }

    private static void Complete(List<Pending> batch, long firstSeq)
    {
        for (var i = 0; i < batch.Count; i++)
        {
            batch[i].Done.TrySetResult(firstSeq + i);
        }
    }

    private void Fail(List<Pending> batch, Exception e)
    {
        LogFailed(logger, batch.Count, (e as PostgresException)?.SqlState ?? e.GetType().Name, e);
        var failure = new ServiceUnavailableException("The use record could not be committed.") { Code = "audit.unavailable" };
        batch.ForEach(b => b.Done.TrySetException(failure));
    }

    private sealed record Pending(AuditEntry Audit, UseRecord? Use, TaskCompletionSource<long> Done);

    [LoggerMessage(Level = LogLevel.Error, Message = "Committing {Count} verification record(s) failed ({Reason}); their verifications are answered 503")]
    private static partial void LogFailed(ILogger logger, int count, string reason, Exception exception);
}
