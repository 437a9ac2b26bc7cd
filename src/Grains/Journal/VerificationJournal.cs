using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using OrleansLicenses.Audit;

namespace OrleansLicenses.Journal;

/// <summary>
/// The silo's group-commit writer for verifications: many verifications, one transaction. Each append is a use
/// record (用证存档) and its audit record, committed together before the verification is answered. The journal has
/// several <see cref="JournalLane"/>s (<c>Journal:Lanes</c>, default 4), each with its own commit loop and its own
/// hash chain (<c>silo-&lt;uuid&gt;</c>, one per lane and process): while one lane waits for its commit the next
/// batch already goes to another, so a silo keeps several transactions in flight and no row, lock or loop
/// serializes the verifications of the silo, let alone of the cluster. The chains are anchored by the signed
/// checkpoints like every other chain.
/// </summary>
public sealed class VerificationJournal : IHostedService
{
    private readonly JournalLane[] lanes;
    private Task[] loops = [];
    private int next;

    public VerificationJournal(NpgsqlDataSource dataSource, ILocalSiloDetails silo, IConfiguration configuration, ILogger<VerificationJournal> logger)
    {
        var count = Math.Clamp(configuration.GetValue("Journal:Lanes", 4), 1, 64);
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
