using OrleansLicenses.Audit;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using OrleansLicenses.ApiHost.Audit;

namespace OrleansLicenses.Tests.Audit;

/// <summary>
/// The chain, the group-commit writer, checkpoints and the verifier on a fresh database per test, without a host:
/// every kind of tampering a database superuser can do is reported at the right first broken link.
/// </summary>
public sealed class AuditChainTests
{
    private static readonly string Key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    [Fact]
    public async Task ConcurrentAppends_AreGroupCommitted_IntoOneGapFreeChain()
    {
        await using var chain = await Chain.CreateAsync(0);
        var seqs = await Task.WhenAll(Enumerable.Range(1, 200).Select(i => chain.Writer.AppendAsync(Entry(i))));

        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), seqs.Order());
        Assert.True(chain.Writer.BatchesCommitted < 200, $"{chain.Writer.BatchesCommitted} transactions for 200 records: no group commit");
        var report = await chain.VerifyAsync();
        Assert.True(report.Intact, report.FirstBreak?.Detail);
        Assert.Equal(200, report.RecordsChecked);
        Assert.Equal(200, report.HeadSeq);
    }

    [Fact]
    public async Task TwoWriters_LikeTwoApiHosts_ExtendOneChain()
    {
        await using var chain = await Chain.CreateAsync(0);
        await using var other = NpgsqlDataSource.Create(chain.ConnectionString);
        var second = new AuditWriter(other, Options.Create(new AuditSettings()), NullLogger<AuditWriter>.Instance);
        await second.StartAsync(CancellationToken.None);
        try
        {
            await Task.WhenAll(Enumerable.Range(1, 100).SelectMany(i => new[] { chain.Writer.AppendAsync(Entry(i)), second.AppendAsync(Entry(1000 + i)) }));
        }
        finally
        {
            await second.StopAsync(CancellationToken.None);
        }

        var report = await chain.VerifyAsync();
        Assert.True(report.Intact, report.FirstBreak?.Detail);
        Assert.Equal(200, report.RecordsChecked);
    }

    [Fact]
    public async Task UnstorableText_DoesNotFailTheBatchItShares()
    {
        await using var chain = await Chain.CreateAsync(0);
        var poisoned = Entry(0) with { Resource = "/api/licenses/x?q=\0", Purpose = "\uD800 lone surrogate", Actor = new string('a', 10_000) };
        var seqs = await Task.WhenAll(Enumerable.Range(1, 20).Select(i => chain.Writer.AppendAsync(i == 10 ? poisoned : Entry(i))));

        Assert.Equal(20, seqs.Distinct().Count());
        var stored = (await AuditTamper.ReadAsync(chain.ConnectionString)).Single(r => r.Entry.Resource.StartsWith("/api/licenses/x", StringComparison.Ordinal));
        Assert.Equal("/api/licenses/x?q=\uFFFD", stored.Entry.Resource);
        Assert.True((await chain.VerifyAsync()).Intact);
    }

    [Fact]
    public async Task EditedRecord_IsHashMismatchAtThatRecord()
    {
        await using var chain = await Chain.CreateAsync(10);
        await AuditTamper.RunAsync(chain.ConnectionString, "UPDATE audit_records SET outcome = 'denied' WHERE seq = 4");

        AssertBroken(await chain.VerifyAsync(), 4, AuditBreakReasons.HashMismatch);
    }

    [Fact]
    public async Task EditedRecordWithItsHashRecomputed_BreaksTheLinkOfTheNextRecord()
    {
        await using var chain = await Chain.CreateAsync(10);
        var records = await AuditTamper.ReadAsync(chain.ConnectionString);
        var forged = records[3].Entry with { Actor = "someone-else" };
        var hash = AuditChain.Hash(records[2].Hash, 4, forged);
        await AuditTamper.RunAsync(chain.ConnectionString, "UPDATE audit_records SET actor = $1, hash = $2 WHERE seq = 4", forged.Actor, hash);

        AssertBroken(await chain.VerifyAsync(), 5, AuditBreakReasons.LinkMismatch);
    }

    [Fact]
    public async Task DeletedRecord_IsMissingRecord()
    {
        await using var chain = await Chain.CreateAsync(10);
        await AuditTamper.RunAsync(chain.ConnectionString, "DELETE FROM audit_records WHERE seq = 6");

        AssertBroken(await chain.VerifyAsync(), 6, AuditBreakReasons.MissingRecord);
    }

    [Fact]
    public async Task ReorderedRecords_BreakTheLinkAtTheFirstMovedRecord()
    {
        await using var chain = await Chain.CreateAsync(10);
        await AuditTamper.RunAsync(chain.ConnectionString, """
            UPDATE audit_records SET seq = 1000003 WHERE seq = 3;
            UPDATE audit_records SET seq = 3 WHERE seq = 7;
            UPDATE audit_records SET seq = 7 WHERE seq = 1000003;
            """);

        AssertBroken(await chain.VerifyAsync(), 3, AuditBreakReasons.LinkMismatch);
    }

    [Fact]
    public async Task SwappedPayloads_AreHashMismatchAtTheFirstSwappedRecord()
    {
        await using var chain = await Chain.CreateAsync(10);
        await AuditTamper.RunAsync(chain.ConnectionString, """
            UPDATE audit_records a SET request_id = b.request_id, resource = b.resource
            FROM audit_records b WHERE (a.seq, b.seq) IN ((3, 7), (7, 3));
            """);

        AssertBroken(await chain.VerifyAsync(), 3, AuditBreakReasons.HashMismatch);
    }

    [Fact]
    public async Task TruncatedTail_IsTruncatedAgainstTheHead()
    {
        await using var chain = await Chain.CreateAsync(10);
        await AuditTamper.RunAsync(chain.ConnectionString, "DELETE FROM audit_records WHERE seq > 7");

        var report = await chain.VerifyAsync();
        AssertBroken(report, 8, AuditBreakReasons.Truncated);
        Assert.Equal(7, report.RecordsChecked);
    }

    [Fact]
    public async Task TruncatedTailWithTheHeadMovedBack_IsCaughtByTheSignedCheckpoint()
    {
        await using var chain = await Chain.CreateAsync(10);
        Assert.True((await chain.Checkpointer.CreateAsync()).Created);
        await AuditTamper.RunAsync(chain.ConnectionString, "DELETE FROM audit_records WHERE seq > 7");
        await AuditTamper.ResetHeadAsync(chain.ConnectionString, 7);

        AssertBroken(await chain.VerifyAsync(), 8, AuditBreakReasons.Truncated);
    }

    [Fact]
    public async Task TruncatedTailRegrownByNewRecords_IsCaughtByTheSignedCheckpoint()
    {
        await using var chain = await Chain.CreateAsync(10);
        await chain.Checkpointer.CreateAsync();
        await AuditTamper.RunAsync(chain.ConnectionString, "DELETE FROM audit_records WHERE seq > 7");
        await AuditTamper.ResetHeadAsync(chain.ConnectionString, 7);
        for (var i = 0; i < 5; i++)
        {
            await chain.Writer.AppendAsync(Entry(100 + i)); // the writer happily extends the shortened chain
        }

        AssertBroken(await chain.VerifyAsync(), 10, AuditBreakReasons.CheckpointMismatch);
    }

    [Fact]
    public async Task CheckpointsDeletedWithTheRecordsAfterThem_AreCaughtByTheAnchorFileOutsideTheDatabase()
    {
        var file = Path.Combine(Path.GetTempPath(), $"audit-anchor-{Guid.NewGuid():N}.jsonl");
        try
        {
            await using var chain = await Chain.CreateAsync(6, new AuditAnchor(file, 60));
            Assert.True((await chain.Checkpointer.CreateAsync()).Created);
            for (var i = 7; i <= 10; i++)
            {
                await chain.Writer.AppendAsync(Entry(i));
            }

            Assert.True((await chain.Checkpointer.CreateAsync()).Created);
            Assert.Equal(2, File.ReadAllLines(file).Length);
            Assert.True((await chain.VerifyAsync()).Intact);

            // The schema owner removes the last checkpoint with the records it covers and moves the head back: the
            // database alone verifies (that is the attack), the anchor file does not agree.
            await AuditTamper.RunAsync(chain.ConnectionString, [
                ("DELETE FROM audit_checkpoints WHERE seq = 10", Array.Empty<object>()), ("DELETE FROM audit_records WHERE seq > 6", Array.Empty<object>())]);
            await AuditTamper.ResetHeadAsync(chain.ConnectionString, 6);
            Assert.True((await new AuditVerifier(chain.Keys, TimeProvider.System).VerifyAsync(chain.DataSource)).Intact);
            AssertBroken(await chain.VerifyAsync(), 7, AuditBreakReasons.Truncated);

            // Regrown past the removed checkpoint, the chain is caught by the missing anchored checkpoint.
            for (var i = 0; i < 6; i++)
            {
                await chain.Writer.AppendAsync(Entry(200 + i));
            }

            AssertBroken(await chain.VerifyAsync(), 10, AuditBreakReasons.AnchorMismatch);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task RecordsLongWithoutACheckpoint_AreReportedAsACheckpointGap()
    {
        await using var chain = await Chain.CreateAsync(3);
        var later = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow.AddMinutes(10));
        var report = await new AuditVerifier(chain.Keys, later, new AuditAnchor(null, 60)).VerifyAsync(chain.DataSource);
        Assert.True(report.Intact);
        Assert.StartsWith("after record 0:", Assert.Single(report.CheckpointGaps!), StringComparison.Ordinal);

        // The command line's --json output stays one JSON document with the gap in it; the plain line goes to stderr.
        using (var json = new StringWriter())
        using (var error = new StringWriter())
        {
            Assert.Equal(0, await AuditCommandLine.RunAsync(["--connection", chain.ConnectionString, "--key", Key, "--json"], json, error, later));
            var gaps = System.Text.Json.JsonDocument.Parse(json.ToString()).RootElement.GetProperty("checkpointGaps");
            Assert.Equal(1, gaps.GetArrayLength());
            Assert.Contains("checkpoint gap: after record 0:", error.ToString(), StringComparison.Ordinal);
        }

        Assert.True((await chain.Checkpointer.CreateAsync()).Created);
        var covered = await new AuditVerifier(chain.Keys, later, new AuditAnchor(null, 60)).VerifyAsync(chain.DataSource);
        Assert.Empty(covered.CheckpointGaps!);
    }

    [Fact]
    public async Task WholeTableTruncated_IsTruncatedFromRecordOne()
    {
        await using var chain = await Chain.CreateAsync(5);
        await chain.Checkpointer.CreateAsync();
        await AuditTamper.RunAsync(chain.ConnectionString, "TRUNCATE audit_records");
        await AuditTamper.ResetHeadAsync(chain.ConnectionString, 0);

        AssertBroken(await chain.VerifyAsync(), 1, AuditBreakReasons.Truncated);
    }

    [Fact]
    public async Task ConsistentRewriteOfSignedRecords_IsCaughtAtTheFirstCheckpointAfterIt()
    {
        await using var chain = await Chain.CreateAsync(5);
        await chain.Checkpointer.CreateAsync();
        for (var i = 6; i <= 10; i++)
        {
            await chain.Writer.AppendAsync(Entry(i));
        }

        await chain.Checkpointer.CreateAsync();

        // Change record 4 and recompute every hash after it, head included: the chain is self-consistent again.
        var records = await AuditTamper.ReadAsync(chain.ConnectionString);
        var previous = records[2].Hash;
        var statements = new List<(string, object[])>();
        foreach (var r in records.Skip(3))
        {
            var entry = r.Seq == 4 ? r.Entry with { Outcome = AuditOutcomes.Failed } : r.Entry;
            var hash = AuditChain.Hash(previous, r.Seq, entry);
            statements.Add(("UPDATE audit_records SET outcome = $1, prev_hash = $2, hash = $3 WHERE seq = $4", [entry.Outcome, previous, hash, r.Seq]));
            previous = hash;
        }

        statements.Add(("UPDATE audit_chain_head SET hash = $1", [previous]));
        await AuditTamper.RunAsync(chain.ConnectionString, statements);

        AssertBroken(await chain.VerifyAsync(), 5, AuditBreakReasons.CheckpointMismatch);
    }

    [Fact]
    public async Task ForgedCheckpoint_IsCheckpointSignature_AndAnotherKeyCannotVouch()
    {
        await using var chain = await Chain.CreateAsync(6);
        await chain.Checkpointer.CreateAsync();
        var other = new AuditVerifier(new AuditKeys(new AuditSettings { CheckpointKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) }, false),
            TimeProvider.System);
        AssertBroken(await other.VerifyAsync(chain.DataSource), 6, AuditBreakReasons.CheckpointSignature);

        await AuditTamper.RunAsync(chain.ConnectionString, "UPDATE audit_checkpoints SET seq = 3, hash = (SELECT hash FROM audit_records WHERE seq = 3)");
        AssertBroken(await chain.VerifyAsync(), 3, AuditBreakReasons.CheckpointSignature);
    }

    [Fact]
    public async Task PreviousKey_StillVerifiesTheCheckpointsItSigned()
    {
        await using var chain = await Chain.CreateAsync(4);
        await chain.Checkpointer.CreateAsync();
        var rotated = new AuditKeys(new AuditSettings
        {
            CheckpointKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            PreviousCheckpointKeys = [Key],
        }, false);

        var report = await new AuditVerifier(rotated, TimeProvider.System).VerifyAsync(chain.DataSource);
        Assert.True(report.Intact, report.FirstBreak?.Detail);
    }

    [Fact]
    public async Task Checkpointer_RefusesToSignABrokenChain()
    {
        await using var chain = await Chain.CreateAsync(5);
        await chain.Checkpointer.CreateAsync();
        for (var i = 6; i <= 8; i++)
        {
            await chain.Writer.AppendAsync(Entry(i));
        }

        await AuditTamper.RunAsync(chain.ConnectionString, "UPDATE audit_records SET resource = '/api/elsewhere' WHERE seq = 7");
        var result = await chain.Checkpointer.CreateAsync();

        Assert.Null(result.Checkpoint);
        Assert.Equal(7, result.Break?.Seq);
        Assert.Equal(AuditBreakReasons.HashMismatch, result.Break?.Reason);
        var report = await chain.VerifyAsync();
        Assert.Equal(5, report.LastCheckpointSeq);
    }

    [Fact]
    public async Task Triggers_RefuseUpdateDeleteTruncateAndBrokenLinks_EvenForTheSuperuser()
    {
        await using var chain = await Chain.CreateAsync(3);
        await chain.Checkpointer.CreateAsync();
        await using var connection = await chain.DataSource.OpenConnectionAsync();

        foreach (var sql in new[]
                 {
                     "UPDATE audit_records SET outcome = 'denied' WHERE seq = 2",
                     "DELETE FROM audit_records WHERE seq = 3",
                     "TRUNCATE audit_records",
                     "DELETE FROM audit_checkpoints",
                     "TRUNCATE audit_chain_head",
                     "UPDATE audit_chain_head SET seq = 1, hash = (SELECT hash FROM audit_records WHERE seq = 1)",
                 })
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => Execute(connection, sql));
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
        }

        // A record that does not extend the chain (wrong predecessor hash) is refused too.
        var broken = await Assert.ThrowsAsync<PostgresException>(() => Execute(connection, """
            INSERT INTO audit_records (seq, recorded_at, request_id, actor, kind, action, resource, outcome, prev_hash, hash)
            VALUES (4, now(), 'r', 'x', 'write', 'a', '/', 'succeeded', decode(repeat('11', 32), 'hex'), decode(repeat('22', 32), 'hex'))
            """));
        Assert.Equal(PostgresErrorCodes.IntegrityConstraintViolation, broken.SqlState);
        Assert.True((await chain.VerifyAsync()).Intact);
    }

    [Fact]
    public async Task Migration_RunAgain_KeepsTheChainAndItsGuards()
    {
        await using var chain = await Chain.CreateAsync(3);
        var (_, sql) = OrleansLicenses.Silo.Database.SchemaMigrator.Scripts.Single(s => s.Name == "0007_audit");
        await using var connection = await chain.DataSource.OpenConnectionAsync();
        await Execute(connection, sql);

        Assert.Equal(3, (await chain.VerifyAsync()).HeadSeq);
        await chain.Writer.AppendAsync(Entry(4));
        Assert.True((await chain.VerifyAsync()).Intact);
        var refused = await Assert.ThrowsAsync<PostgresException>(() => Execute(connection, "DELETE FROM audit_records WHERE seq = 1"));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
    }

    [Fact]
    public async Task CommandLine_ExitsZeroWhenIntact_AndOneNamingTheFirstBrokenLink()
    {
        await using var chain = await Chain.CreateAsync(8);
        await chain.Checkpointer.CreateAsync();
        string[] args = ["--connection", chain.ConnectionString, "--key", Key];

        using (var output = new StringWriter())
        {
            Assert.Equal(0, await AuditCommandLine.RunAsync(args, output, TextWriter.Null));
            Assert.Contains("audit chain intact: 8 record(s)", output.ToString(), StringComparison.Ordinal);
        }

        await AuditTamper.RunAsync(chain.ConnectionString, "DELETE FROM audit_records WHERE seq = 5");
        using (var output = new StringWriter())
        {
            Assert.Equal(1, await AuditCommandLine.RunAsync(args, output, TextWriter.Null));
            Assert.Contains("BROKEN at record 5: missing_record", output.ToString(), StringComparison.Ordinal);
        }

        using (var json = new StringWriter())
        {
            Assert.Equal(1, await AuditCommandLine.RunAsync([.. args, "--json"], json, TextWriter.Null));
            var report = System.Text.Json.JsonDocument.Parse(json.ToString()).RootElement;
            Assert.Equal(5, report.GetProperty("firstBreak").GetProperty("seq").GetInt64());
        }

        using var error = new StringWriter();
        Assert.Equal(2, await AuditCommandLine.RunAsync(["--connection", "Host=127.0.0.1;Port=1;Timeout=1", "--key", Key], TextWriter.Null, error));
        Assert.Contains("could not verify", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void CheckpointKey_IsRequiredOutsideDevelopment_AndTheDevelopmentKeySaysSo()
    {
        Assert.Throws<InvalidOperationException>(() => new AuditKeys(new AuditSettings(), isDevelopment: false));
        Assert.Throws<InvalidOperationException>(() => new AuditKeys(new AuditSettings { CheckpointKey = Convert.ToBase64String(new byte[16]) }, false));
        var development = new AuditKeys(new AuditSettings(), isDevelopment: true);
        Assert.True(development.IsDevelopmentKey);
        Assert.StartsWith("dev-", development.CurrentId, StringComparison.Ordinal);
    }

    [Fact]
    public void CanonicalBytes_TellNullFromEmpty_AndFieldBoundaries()
    {
        var e = Entry(1);
        Assert.NotEqual(AuditChain.Hash(AuditChain.Genesis, 1, e with { Purpose = null }), AuditChain.Hash(AuditChain.Genesis, 1, e with { Purpose = "" }));
        Assert.NotEqual(
            AuditChain.Hash(AuditChain.Genesis, 1, e with { Role = "ab", UnitCode = "c" }),
            AuditChain.Hash(AuditChain.Genesis, 1, e with { Role = "a", UnitCode = "bc" }));
        Assert.NotEqual(AuditChain.Hash(AuditChain.Genesis, 1, e), AuditChain.Hash(AuditChain.Genesis, 2, e));
        Assert.Equal(32, AuditChain.Hash(AuditChain.Genesis, 1, e).Length);
    }

    private static void AssertBroken(AuditVerification report, long seq, string reason)
    {
        Assert.False(report.Intact, "tampering was not detected");
        Assert.NotNull(report.FirstBreak);
        Assert.True(seq == report.FirstBreak.Seq && reason == report.FirstBreak.Reason,
            $"expected {reason} at {seq}, got {report.FirstBreak.Reason} at {report.FirstBreak.Seq}: {report.FirstBreak.Detail}");
    }

    private static AuditEntry Entry(int i) => new(AuditChain.Truncate(DateTimeOffset.UtcNow), $"req-{i}", "issuer-a", "0011223344556677",
        "issuer", "11230100000000027J", "127.0.0.1", AuditKinds.Write, "IssueLicense", $"/api/licenses/{i}", AuditOutcomes.Succeeded, 201, null, null);

    private static async Task Execute(NpgsqlConnection connection, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, connection);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>A fresh database with the production migrations, a running writer and some records.</summary>
    private sealed class Chain : IAsyncDisposable
    {
        private Chain(string connectionString, AuditAnchor? anchor)
        {
            ConnectionString = connectionString;
            DataSource = NpgsqlDataSource.Create(connectionString);
            Keys = new AuditKeys(new AuditSettings { CheckpointKey = Key }, isDevelopment: false);
            Writer = new AuditWriter(DataSource, Options.Create(new AuditSettings()), NullLogger<AuditWriter>.Instance);
            Checkpointer = new AuditCheckpointer(DataSource, Keys, Writer, TimeProvider.System, NullLogger<AuditCheckpointer>.Instance, anchor);
            Verifier = new AuditVerifier(Keys, TimeProvider.System, anchor);
        }

        public AuditKeys Keys { get; }

        public string ConnectionString { get; }

        public NpgsqlDataSource DataSource { get; }

        public AuditWriter Writer { get; }

        public AuditCheckpointer Checkpointer { get; }

        public AuditVerifier Verifier { get; }

        public static async Task<Chain> CreateAsync(int records, AuditAnchor? anchor = null)
        {
            var chain = new Chain(await PlatformDatabase.CreateAsync(), anchor);
            await chain.Writer.StartAsync(CancellationToken.None);
            for (var i = 1; i <= records; i++)
            {
                await chain.Writer.AppendAsync(Entry(i));
            }

            return chain;
        }

        public Task<AuditVerification> VerifyAsync() => Verifier.VerifyAsync(DataSource);

        public async ValueTask DisposeAsync()
        {
            await Writer.StopAsync(CancellationToken.None);
            Writer.Dispose();
            await DataSource.DisposeAsync();
        }
    }
}
