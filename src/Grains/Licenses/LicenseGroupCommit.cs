using System.Threading.Channels;
using Npgsql;

namespace OrleansLicenses.Licenses;

/// <summary>
/// Group commit of licence changes (STYLE, "The durable write path"): the silo's licence grains hand their change
/// (state row, read-model row, change-feed entry) to this writer and wait; a few writer loops each take whatever is
/// queued (up to <see cref="MaxGroup"/> changes) and commit it as one transaction, one round trip and one WAL flush,
/// then answer every waiter. A change is acknowledged only after the transaction that holds it committed. When a group
/// fails on a statement (one licence's revision check, a unique key), each of its changes is committed again on its
/// own, so every change gets its own outcome and no other licence's fate; a broken connection fails the whole group.
/// When the silo is idle a change commits alone at once, so a single request waits for no one.
/// </summary>
public sealed class LicenseGroupCommit
{
    /// <summary>Most changes in one transaction.</summary>
    public const int MaxGroup = 64;

    private const int Writers = 4;
    private readonly NpgsqlDataSource dataSource;
    private readonly Channel<Pending> queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleWriter = false });

    public LicenseGroupCommit(NpgsqlDataSource dataSource)
    {
        this.dataSource = dataSource;
        for (var i = 0; i < Writers; i++)
        {
            _ = Task.Factory.StartNew(WriteLoopAsync, CancellationToken.None, TaskCreationOptions.DenyChildAttach, TaskScheduler.Default).Unwrap();
        }
    }

    /// <summary>Commits the statements <paramref name="statements"/> makes (fresh ones per attempt) and returns once they are committed.</summary>
    /// <exception cref="NpgsqlException">The change did not commit (or its outcome is unknown); the caller maps it.</exception>
    public Task CommitAsync(Func<IEnumerable<NpgsqlBatchCommand>> statements)
    {
        var pending = new Pending(statements, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!queue.Writer.TryWrite(pending))
        {
            throw new InvalidOperationException("The licence group commit is closed.");
        }

        return pending.Done.Task;
    }

    private async Task WriteLoopAsync()
    {
        var group = new List<Pending>(MaxGroup);
        while (await queue.Reader.WaitToReadAsync())
        {
            group.Clear();
            while (group.Count < MaxGroup && queue.Reader.TryRead(out var pending))
            {
                group.Add(pending);
            }

            if (group.Count == 0)
            {
                continue;
            }

            try
            {
                await ExecuteAsync(group);
                group.ForEach(p => p.Done.TrySetResult());
            }
            catch (PostgresException) when (group.Count > 1)
            {
                // One statement failed and rolled the group back: give each change its own transaction and outcome.
                foreach (var pending in group)
                {
                    try
                    {
                        await ExecuteAsync([pending]);
                        pending.Done.TrySetResult();
                    }
                    catch (Exception e)
                    {
                        pending.Done.TrySetException(e);
                    }
                }
            }
            catch (Exception e)
            {
                group.ForEach(p => p.Done.TrySetException(e));
            }
        }
    }

    private async Task ExecuteAsync(IReadOnlyList<Pending> group)
    {
        // One round trip: the batch runs as one implicit transaction (a single Sync), so a failing statement, a
        // revision check included, rolls back every statement of the group.
        await using var batch = dataSource.CreateBatch();
        // Durable before acknowledged, whatever the server's default (local to this transaction).
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT set_config('synchronous_commit', 'on', true)"));
        foreach (var pending in group)
        {
            foreach (var statement in pending.Statements())
            {
                batch.BatchCommands.Add(statement);
            }
        }

        await batch.ExecuteNonQueryAsync();
    }

    private sealed record Pending(Func<IEnumerable<NpgsqlBatchCommand>> Statements, TaskCompletionSource Done);
}
