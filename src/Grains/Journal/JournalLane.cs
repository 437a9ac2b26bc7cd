using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Npgsql;
using OrleansLicenses.Audit;
using OrleansLicenses.Errors;
using OrleansLicenses.Hosting;

namespace OrleansLicenses.Journal;

/// <summary>
/// One commit loop of the <see cref="VerificationJournal"/>: it takes what is waiting and in ONE transaction copies
/// the use records, appends the audit records to its own hash chain (<see cref="ChainId"/>, its head a row no other
/// writer touches) and moves the chain head; only after the commit are the verifications answered. A failure
/// completes no waiter as success, and a batch refused because of one bad record is retried record by record, so
/// only that record's verification fails.
/// </summary>
internal sealed partial class JournalLane
{
    private const int MaxBatch = 512;
    private static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(5);

    private readonly NpgsqlDataSource dataSource;
    private readonly ILogger logger;
    private readonly Channel<Pending> queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(20_000) { SingleReader = true });
    private readonly string writer;
    private bool registered;
    private long headSeq;
    private byte[] headHash;
    private long pending;

    public JournalLane(NpgsqlDataSource dataSource, string chainId, string writer, ILogger logger)
    {
        this.dataSource = dataSource;
        this.logger = logger;
        ChainId = chainId;
        this.writer = writer;
        headHash = AuditChain.GenesisOf(ChainId);
    }

    /// <summary>This lane's audit chain.</summary>
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

    /// <summary>Accepts no more appends; the loop commits what is queued and ends.</summary>
    public void Close() => queue.Writer.TryComplete();

    /// <summary>The commit loop: takes what is waiting, commits it in one transaction, answers the waiters.</summary>
    public async Task RunAsync()
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
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                Complete(batch, await CommitAsync(batch));
                LicenseMetrics.JournalBatchSize.Record(batch.Count);
                LicenseMetrics.JournalCommitDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
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

    /// <summary>
    /// One transaction for the batch, sent as ONE round trip: the statements of an <see cref="NpgsqlBatch"/> without
    /// an explicit transaction run in one implicit transaction that commits (durably: <c>synchronous_commit</c> is
    /// set for it) when the last succeeds, or rolls back as a whole. The in-memory head moves only after the commit.
    /// </summary>
    private async Task<long> CommitAsync(List<Pending> batch)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var commit = new NpgsqlBatch(connection);
        commit.BatchCommands.Add(new NpgsqlBatchCommand("SELECT set_config('synchronous_commit', 'on', true)"));
        if (!registered)
        {
            commit.BatchCommands.Add(JournalRows.RegisterChain(ChainId, writer, headHash));
        }

        var uses = batch.Where(b => b.Use is not null).Select(b => b.Use!).ToList();
        if (uses.Count > 0)
        {
            commit.BatchCommands.Add(JournalRows.Uses(uses));
        }

        var seq = headSeq;
        var previous = headHash;
        var audits = new List<ChainedAudit>(batch.Count);
        foreach (var item in batch)
        {
            seq++;
            var hash = AuditChain.Hash(previous, seq, item.Audit);
            audits.Add(new ChainedAudit(seq, item.Audit, previous, hash));
            previous = hash;
        }

        commit.BatchCommands.Add(JournalRows.Audits(ChainId, audits));
        commit.BatchCommands.Add(JournalRows.MoveHead(ChainId, seq, previous));
        await commit.ExecuteNonQueryAsync();
        registered = true;
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
        LicenseMetrics.JournalFailures.Add(batch.Count);
        var failure = new ServiceUnavailableException("The use record could not be committed.") { Code = "audit.unavailable" };
        batch.ForEach(b => b.Done.TrySetException(failure));
    }

    private sealed record Pending(AuditEntry Audit, UseRecord? Use, TaskCompletionSource<long> Done);

    [LoggerMessage(Level = LogLevel.Error, Message = "Committing {Count} verification record(s) failed ({Reason}); their verifications are answered 503")]
    private static partial void LogFailed(ILogger logger, int count, string reason, Exception exception);
}
