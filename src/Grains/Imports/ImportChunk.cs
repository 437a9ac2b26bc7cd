using OrleansLicenses.Access;
using OrleansLicenses.Errors;
using OrleansLicenses.Licenses;

namespace OrleansLicenses.Imports;

/// <summary>The outcome of one chunk: its per-row errors and how many rows failed, or that it must be tried again.</summary>
public sealed record ChunkOutcome(IReadOnlyList<ImportRowError> Errors, int Failed, Exception? Transient);

/// <summary>
/// Issues one chunk of stored records through the licence grains (<see cref="ILicenseGrain.IssueAsync"/>, the one
/// issuance path: validation, holder reservation, SM2 signing, the licence's own transaction), many at once: each
/// licence grain is placed by Orleans, so the rows are signed and committed on every silo in parallel. A domain
/// refusal is the row's error; a transient failure (storage, a silo going away) fails the chunk, which is then
/// processed again — re-issuing a record answers the licence it already made.
/// </summary>
public static class ImportChunk
{
    private const int RetryRounds = 5;

    public static async Task<ChunkOutcome> RunAsync(IGrainFactory grains, ImportHeader import, IReadOnlyList<StoredImportRow> rows, int parallelism,
        Action<int, Exception> onDefect)
    {
        var caller = new Caller(import.ClientId, Roles.Issuer, import.IssuerCode, import.RegionCode, $"import:{import.Id}");
        var errors = new List<ImportRowError>();
        var failedLines = new HashSet<int>();
        Exception? transient = null;
        var running = new List<(ImportRecord Record, int Line, Task<(int Line, IReadOnlyList<FieldError> Errors)> Task)>(parallelism);
        var retry = new List<(ImportRecord Record, int Line)>();

        void Collect(int line, IReadOnlyList<FieldError> rowErrors)
        {
            if (rowErrors.Count == 0)
            {
                return;
            }

            failedLines.Add(line);
            errors.AddRange(rowErrors.Select(e => new ImportRowError(line, e.Field, e.Message)));
        }

        async Task Drain(int keep)
        {
            while (running.Count > keep)
            {
                var finished = await Task.WhenAny(running.Select(r => r.Task));
                var entry = running.Find(r => r.Task == finished);
                running.Remove(entry);
                try
                {
                    var (line, rowErrors) = await finished;
                    Collect(line, rowErrors);
                }
                catch (Exception e) when (IsTransient(e))
                {
                    transient = e;
                    retry.Add((entry.Record, entry.Line));
                }
            }
        }

        foreach (var row in rows)
        {
            if (row.Columns is null)
            {
                Collect(row.Line, [new FieldError(row.ProblemField ?? "row", row.Problem ?? "could not be read")]);
                continue;
            }

            var record = ImportRecords.Read(import.Kind, import.TypeCode, import.IssuerCode, row.Columns);
            if (record.Errors.Count > 0)
            {
                Collect(row.Line, record.Errors);
                continue;
            }

            running.Add((record, row.Line, IssueAsync(grains, record, row.Line, caller, onDefect)));
            await Drain(parallelism - 1);
        }

        await Drain(0);
        // Rows that met a transient failure (a full connection pool, a silo leaving) are tried again a few times
        // before the chunk gives up; re-issuing a row that did commit answers the licence it made.
        for (var round = 1; retry.Count > 0 && round <= RetryRounds; round++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200 * round));
            var again = retry.ToList();
            retry.Clear();
            transient = null;
            foreach (var (record, line) in again)
            {
                running.Add((record, line, IssueAsync(grains, record, line, caller, onDefect)));
                await Drain(parallelism - 1);
            }

            await Drain(0);
        }

        errors.Sort((a, b) => a.Line != b.Line ? a.Line.CompareTo(b.Line) : string.CompareOrdinal(a.Field, b.Field));
        return new ChunkOutcome(errors, failedLines.Count, transient);
    }

    private static async Task<(int, IReadOnlyList<FieldError>)> IssueAsync(IGrainFactory grains, ImportRecord record, int line, Caller caller,
        Action<int, Exception> onDefect)
    {
        try
        {
            await grains.GetGrain<ILicenseGrain>(record.Number!.ToString()).IssueAsync(record.Command!, caller);
            return (line, []);
        }
        catch (DomainException e) when (!IsTransient(e))
        {
            var rowErrors = e.Errors.Count > 0
                ? e.Errors.Select(f => new FieldError(ImportRecords.Column(f.Field), f.Message)).ToList()
                : [new FieldError(ImportRecords.Column(e.Field ?? (e.Code == "license.exists" ? FieldFor(record) : "row")), $"{e.Message} ({e.Code})")];
            // One error per column and row: the first reason names it.
            return (line, rowErrors.DistinctBy(f => f.Field).ToList());
        }
        catch (Exception e) when (!IsTransient(e))
        {
            // A defect, not the record's fault: reported on the row without internals (the silo logs it), never retried forever.
            onDefect(line, e);
            return (line, [new FieldError("row", "could not be issued (internal error)")]);
        }
    }

    private static string FieldFor(ImportRecord record) =>
        record.Command!.Import?.LegacyIdentifier is null ? ImportColumns.SourceId : ImportColumns.LegacyIdentifier;

    /// <summary>Failures that say nothing about the record: storage down, a silo gone, a concurrent write, a timeout.</summary>
    public static bool IsTransient(Exception e) => e switch
    {
        ServiceUnavailableException or TimeoutException or Orleans.Runtime.OrleansException or Npgsql.NpgsqlException => true,
        DomainException d => d.Code == "license.concurrent_write",
        _ => false,
    };
}
