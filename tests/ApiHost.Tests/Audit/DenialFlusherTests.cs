using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using OrleansLicenses.ApiHost.Audit;

namespace OrleansLicenses.Tests.Audit;

/// <summary>The flusher off the request path: a database that does not answer costs no count and throws nothing.</summary>
public sealed class DenialFlusherTests
{
    [Fact]
    public async Task FlushAsync_WhenTheDatabaseIsUnreachable_KeepsTheCountsForTheNextFlush()
    {
        var options = Options.Create(new DenialAuditSettings());
        var denials = new DenialAggregator(options, TimeProvider.System);
        for (var i = 0; i < 5; i++)
        {
            denials.Record("192.0.2.1", 401, "anonymous", "GetLicense");
        }

        // Port 1 on loopback: refused at once.
        await using var unreachable = NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Timeout=2;Pooling=false");
        using var flusher = new DenialFlusher(denials, unreachable, options, TimeProvider.System, NullLogger<DenialFlusher>.Instance);

        Assert.Equal(0, await flusher.FlushAsync());
        Assert.Equal(5, denials.Drain().Sum(r => r.Count));
    }
}
