using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using OrleansLicenses.Audit;

namespace OrleansLicenses.Journal;

/// <summary>
/// The silo's group-commit writer for verifications: many verifications, one transaction. Each append is a use
/// record (用证存档) and its audit record, committed together before the verification is answered. By default a
/// silo has one <see cref="JournalLane"/> and so one hash chain (<c>silo-&lt;uuid&gt;</c>, per process): no row,
/// lock or loop is shared between silos, and the chains are anchored by the signed checkpoints like every other
/// chain. <c>Journal:Lanes</c> gives a silo several lanes (each its own loop and chain) so that several transactions
/// are in flight at once; measured on 2 cores, one lane wins: its batches are larger, and a batch costs PostgreSQL
/// about the same whatever its size (one round trip, four statements).
/// </summary>
public sealed class VerificationJournal : IHostedService
{
    private readonly JournalLane[] lanes;
    private Task[] loops = [];
    private int next;

    public VerificationJournal(NpgsqlDataSource dataSource, ILocalSiloDetails silo, IConfiguration configuration, ILogger<VerificationJournal> logger)
    {
        var count = Math.Clamp(configuration.GetValue("Journal:Lanes", 1), 1, 64);
        var writer = $"{silo.SiloAddress.ToParsableString()} {DateTimeOffset.UtcNow:O}";
        lanes = [.. Enumerable.Range(0, count).Select(_ => new JournalLane(dataSource, $"silo-{Guid.CreateVersion7():N}", writer, logger))];
    }

    /// <summary>Appends waiting to be committed (for tests and diagnostics).</summary>
    public long Waiting => lanes.Sum(l => l.Waiting);

    /// <summary>Commits the use record (if any) and the audit record in one transaction; returns the audit record's seq in its lane's chain.</summary>
    /// <exception cref="Errors.ServiceUnavailableException">Not committed (database failure or timeout): the verification must not be answered.</exception>
    public Task<long> AppendAsync(AuditEntry audit, UseRecord? use) =>
        lanes[(int)((uint)Interlocked.Increment(ref next) % (uint)lanes.Length)].AppendAsync(audit, use);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        loops = [.. lanes.Select(l => Task.Run(l.RunAsync, CancellationToken.None))];
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var lane in lanes)
        {
            lane.Close();
        }

        // Like BackgroundService: a host that stops abruptly (cancelled token) does not wait for the loops; what
        // they had not committed was never answered.
        await Task.WhenAny(Task.WhenAll(loops), Task.Delay(Timeout.Infinite, cancellationToken));
    }
}
