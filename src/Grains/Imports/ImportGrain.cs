using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace OrleansLicenses.Imports;

/// <summary>
/// Processes one stored import in the background: a grain timer takes the next chunk of records after the cursor,
/// issues them (<see cref="ImportChunk"/>) and commits the chunk's progress and errors in one transaction
/// (<see cref="ImportStore.CommitChunkAsync"/>). A reminder wakes the grain again after a silo restart; it resumes
/// after the last committed chunk. Holds no state of its own: everything it knows is in the <c>imports</c> row.
/// </summary>
public sealed partial class ImportGrain(ImportStore store, IConfiguration configuration, ILogger<ImportGrain> logger) : Grain, IImportGrain, IRemindable
{
    private const string Reminder = "import";
    private readonly int chunkSize = Math.Clamp(ConfigurationBinder.GetValue(configuration, "Imports:ChunkSize", 1000), 1, 10_000);
    private readonly int parallelism = Math.Clamp(ConfigurationBinder.GetValue(configuration, "Imports:Parallelism", 32), 1, 4096);
    private IGrainTimer? timer;
    private ImportHeader? import;
    private int transientFailures;

    async Task IImportGrain.StartAsync()
    {
        await this.RegisterOrUpdateReminder(Reminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        Run();
    }

    async Task IRemindable.ReceiveReminder(string reminderName, TickStatus status)
    {
        import ??= await store.LoadAsync(this.GetPrimaryKey());
        if (import is null or { Status: "done" })
        {
            if (await this.GetReminder(reminderName) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
            }

            return;
        }

        Run();
    }

    private void Run() =>
        timer ??= this.RegisterGrainTimer(TickAsync, new GrainTimerCreationOptions(TimeSpan.Zero, TimeSpan.FromMilliseconds(10)) { KeepAlive = true });

    private async Task TickAsync(CancellationToken cancellationToken)
    {
        import ??= await store.LoadAsync(this.GetPrimaryKey());
        if (import is null || import.Status == "done")
        {
            await Finish();
            return;
        }

        if (import.Status == "queued")
        {
            await store.MarkRunningAsync(import.Id);
            import = import with { Status = "running" };
        }

        var rows = await store.ReadAsync(import.Id, import.ProcessedThrough, chunkSize);
        var outcome = await ImportChunk.RunAsync(GrainFactory, import, rows, parallelism, (line, e) => LogDefect(logger, import.Id, line, e));
        if (outcome.Transient is { } failure)
        {
            // Nothing of the chunk is committed; it runs again (idempotently) after a pause that grows with each failure.
            transientFailures++;
            LogTransient(logger, import.Id, transientFailures, failure);
            timer?.Change(TimeSpan.FromSeconds(Math.Min(30, transientFailures)), TimeSpan.FromMilliseconds(10));
            return;
        }

        if (transientFailures > 0)
        {
            transientFailures = 0;
            timer?.Change(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(10));
        }

        var through = rows.Count > 0 ? rows[^1].Line : import.LastLine;
        var last = through >= import.LastLine;
        if (!await store.CommitChunkAsync(import.Id, import.ProcessedThrough, through, rows.Count, outcome.Failed, outcome.Errors, last))
        {
            // Another activation moved the cursor (possible for a moment during cluster changes): read where it stands.
            import = null;
            return;
        }

        import = import with { ProcessedThrough = through, Status = last ? "done" : "running" };
        if (last)
        {
            LogDone(logger, import.Id);
            await Finish();
        }
    }

    private async Task Finish()
    {
        timer?.Dispose();
        timer = null;
        if (await this.GetReminder(Reminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }

        DeactivateOnIdle();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Import {ImportId}: chunk failed transiently ({Failures} in a row); it runs again")]
    private static partial void LogTransient(ILogger logger, Guid importId, int failures, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Import {ImportId}: line {Line} failed with an unexpected error")]
    private static partial void LogDefect(ILogger logger, Guid importId, int line, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Import {ImportId} done")]
    private static partial void LogDone(ILogger logger, Guid importId);
}
