using OrleansLicenses.Audit;
using System.Data;
using Npgsql;

namespace OrleansLicenses.ApiHost.Audit;

/// <summary>Why the chain is broken at a record.</summary>
public static class AuditBreakReasons
{
    /// <summary>A checkpoint of the external anchor file is missing from the database or differs: checkpoints were removed.</summary>
    public const string AnchorMismatch = "anchor_mismatch";

    /// <summary>A sequence number is missing: a record was deleted.</summary>
    public const string MissingRecord = "missing_record";

    /// <summary>A record does not name its predecessor's hash: rows were reordered, replaced or inserted.</summary>
    public const string LinkMismatch = "link_mismatch";

    /// <summary>A record's content does not match its hash: it was edited.</summary>
    public const string HashMismatch = "hash_mismatch";

    /// <summary>A record differs from the hash a signed checkpoint names: the chain was rewritten.</summary>
    public const string CheckpointMismatch = "checkpoint_mismatch";

    /// <summary>A checkpoint's signature is invalid or made with an unknown key: it was forged or edited.</summary>
    public const string CheckpointSignature = "checkpoint_signature";

    /// <summary>The chain ends before the head or a checkpoint: its tail was removed.</summary>
    public const string Truncated = "truncated";

    /// <summary>The head row does not name the last record.</summary>
    public const string HeadMismatch = "head_mismatch";
}

/// <summary>The first record at which the chain stops proving what happened.</summary>
/// <param name="Seq">The first record (of <paramref name="Chain"/>) that no longer proves what happened.</param>
/// <param name="Reason">One of <see cref="AuditBreakReasons"/>.</param>
/// <param name="Detail">What was found, in words.</param>
/// <param name="Chain">The chain the break is in: <c>main</c> (the API hosts') or a silo's chain id.</param>
public sealed record AuditBreak(long Seq, string Reason, string Detail, string Chain = AuditChain.MainChain);

/// <summary>The verifier's report.</summary>
/// <param name="Intact">No break found.</param>
/// <param name="RecordsChecked">Records whose link and hash were verified (up to the first break).</param>
/// <param name="LastSeq">The last record verified.</param>
/// <param name="HeadSeq">The sequence number the head row names.</param>
/// <param name="Checkpoints">Signed checkpoints found.</param>
/// <param name="LastCheckpointSeq">The newest checkpoint's sequence number.</param>
/// <param name="FirstBreak">The first broken link, if any.</param>
/// <param name="VerifiedAt">When the verification ran.</param>
/// <param name="SiloChains">Silo chains verified besides the main chain.</param>
/// <param name="CheckpointGaps">Where records waited far longer than the checkpoint interval for a checkpoint (a removed
/// checkpoint, or no checkpointer running): not a break by itself, a reason to look.</param>
public sealed record AuditVerification(
    bool Intact, long RecordsChecked, long LastSeq, long? HeadSeq, int Checkpoints, long? LastCheckpointSeq, AuditBreak? FirstBreak,
    DateTimeOffset VerifiedAt, int SiloChains = 0, IReadOnlyList<string>? CheckpointGaps = null);

/// <summary>A signed chain head.</summary>
public sealed record AuditCheckpoint(long Seq, string Hash, DateTimeOffset CreatedAt, string KeyId);

/// <summary>
/// Walks the whole chain in sequence order inside one REPEATABLE READ snapshot, recomputes every hash, compares the
/// records with the signed checkpoints and the head, and reports the first broken link: an edited record
/// (<c>hash_mismatch</c>), a deleted one (<c>missing_record</c>), reordered or replaced rows (<c>link_mismatch</c>), a
/// chain rewritten consistently before a checkpoint (<c>checkpoint_mismatch</c>), a removed tail (<c>truncated</c>), a
/// forged checkpoint (<c>checkpoint_signature</c>).
/// </summary>
public sealed class AuditVerifier(AuditKeys keys, TimeProvider time, AuditAnchor? anchor = null)
{
    public async Task<AuditVerification> VerifyAsync(NpgsqlDataSource dataSource, CancellationToken ct = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await VerifyAsync(connection, ct);
    }

    public async Task<AuditVerification> VerifyAsync(NpgsqlConnection connection, CancellationToken ct = default)
    {
        await using var tx = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        var head = await ChainStore.ReadHeadAsync(connection, tx, ct);
        var checkpoints = await ChainStore.ReadCheckpointsAsync(connection, tx, ct);

        // Candidates for the first break; on the same record, a reason found by the walk wins.
        var breaks = new List<(AuditBreak Break, int Priority)>();
        foreach (var cp in checkpoints)
        {
            if (keys.Verify(cp.KeyId, cp.Seq, cp.Hash, cp.CreatedAt, cp.Mac) is not true)
            {
                breaks.Add((new AuditBreak(cp.Seq, AuditBreakReasons.CheckpointSignature,
                    $"the checkpoint at record {cp.Seq} has an invalid signature or an unknown key ({cp.KeyId})"), 1));
                break;
            }
        }

        var walk = await ChainStore.WalkAsync(connection, tx, 0, AuditChain.Genesis, null,
            checkpoints.ToDictionary(c => c.Seq, c => c.Hash), ct);
        if (walk.Break is { } broken)
        {
            breaks.Add((broken, 0));
        }
        else
        {
            if (checkpoints.FirstOrDefault(c => c.Seq > walk.LastSeq) is { } beyond)
            {
                breaks.Add((new AuditBreak(walk.LastSeq + 1, AuditBreakReasons.Truncated,
                    $"a signed checkpoint names record {beyond.Seq}, but the chain ends at record {walk.LastSeq}"), 0));
            }

            if (head is null)
            {
                breaks.Add((new AuditBreak(walk.LastSeq + 1, AuditBreakReasons.HeadMismatch, "the chain head row is missing"), 0));
            }
            else if (head.Value.Seq > walk.LastSeq)
            {
                breaks.Add((new AuditBreak(walk.LastSeq + 1, AuditBreakReasons.Truncated,
                    $"the head names record {head.Value.Seq}, but the chain ends at record {walk.LastSeq}"), 0));
            }
            else if (head.Value.Seq < walk.LastSeq)
            {
                breaks.Add((new AuditBreak(head.Value.Seq + 1, AuditBreakReasons.HeadMismatch,
                    $"records follow the head (record {head.Value.Seq})"), 0));
            }
            else if (!head.Value.Hash.AsSpan().SequenceEqual(walk.LastHash))
            {
                breaks.Add((new AuditBreak(walk.LastSeq, AuditBreakReasons.HeadMismatch,
                    $"the head names another hash for record {walk.LastSeq}"), 0));
            }
        }

        // The checkpoints against the copy kept outside the database.
        if (anchor?.Check(checkpoints, walk.LastSeq) is { } unanchored)
        {
            breaks.Add((unanchored, 1));
        }

        var gaps = anchor is null ? [] : await anchor.GapsAsync(connection, tx, time.GetUtcNow(), ct);

        // The silos' chains, each against its head and the anchors the (checkpointed) main chain holds for it.
        var silos = await SiloChains.VerifyAsync(connection, tx, ct);
        await tx.CommitAsync(ct);
        var first = breaks.OrderBy(b => b.Break.Seq).ThenBy(b => b.Priority).Select(b => b.Break).FirstOrDefault() ?? silos.Break;
        return new AuditVerification(first is null, walk.Count + silos.Records, walk.LastSeq, head?.Seq, checkpoints.Count,
            checkpoints.Count == 0 ? null : checkpoints[^1].Seq, first, time.GetUtcNow(), silos.Chains, gaps);
    }
}

/// <summary>
/// Signs the chain head. Before signing, it verifies the records since the previous (valid) checkpoint, so a
/// checkpoint never vouches for a chain that was already broken when it was made.
/// </summary>
public sealed partial class AuditCheckpointer(NpgsqlDataSource dataSource, AuditKeys keys, AuditWriter writer, TimeProvider time, ILogger<AuditCheckpointer> logger,
    AuditAnchor? anchorFile = null)
{
    /// <summary>The checkpoint now covering the head (created, or the existing one when the head has not moved), or the break that prevented it.</summary>
    public sealed record Result(AuditCheckpoint? Checkpoint, bool Created, AuditBreak? Break);

    public async Task<Result> CreateAsync(CancellationToken ct = default)
    {
        // First anchor the silos' chain heads in the main chain, so the signature below covers them too.
        if (await SiloChains.AnchorEntryAsync(dataSource, time, ct) is { } anchor)
        {
            await writer.AppendAsync(anchor);
        }

        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        var head = await ChainStore.ReadHeadAsync(connection, tx, ct);
        if (head is not { } h)
        {
            return Refuse(new AuditBreak(1, AuditBreakReasons.HeadMismatch, "the chain head row is missing"));
        }

        var last = await ChainStore.ReadLastCheckpointAsync(connection, tx, ct);
        if (last is not null)
        {
            if (keys.Verify(last.KeyId, last.Seq, last.Hash, last.CreatedAt, last.Mac) is not true)
            {
                return Refuse(new AuditBreak(last.Seq, AuditBreakReasons.CheckpointSignature,
                    $"the checkpoint at record {last.Seq} has an invalid signature or an unknown key ({last.KeyId})"));
            }

            if (last.Seq > h.Seq)
            {
                return Refuse(new AuditBreak(h.Seq + 1, AuditBreakReasons.Truncated,
                    $"a signed checkpoint names record {last.Seq}, but the head names record {h.Seq}"));
            }

            if (last.Seq == h.Seq)
            {
                return last.Hash.AsSpan().SequenceEqual(h.Hash)
                    ? new Result(last.ToView(), false, null)
                    : Refuse(new AuditBreak(h.Seq, AuditBreakReasons.CheckpointMismatch, $"record {h.Seq} differs from its signed checkpoint"));
            }
        }

        if (h.Seq == 0)
        {
            return new Result(null, false, null);
        }

        var walk = await ChainStore.WalkAsync(connection, tx, last?.Seq ?? 0, last?.Hash ?? AuditChain.Genesis, h.Seq,
            new Dictionary<long, byte[]>(), ct);
        if (walk.Break is { } broken)
        {
            return Refuse(broken);
        }

        if (walk.LastSeq != h.Seq || !walk.LastHash.AsSpan().SequenceEqual(h.Hash))
        {
            return Refuse(new AuditBreak(walk.LastSeq + 1, AuditBreakReasons.Truncated,
                $"the head names record {h.Seq}, but the chain ends at record {walk.LastSeq}"));
        }

        var createdAt = AuditChain.Truncate(time.GetUtcNow());
        var mac = keys.Sign(h.Seq, h.Hash, createdAt);
        await using (var insert = new NpgsqlCommand("""
            INSERT INTO audit_checkpoints (seq, hash, created_at, key_id, mac) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (seq) DO NOTHING
            """, connection, tx))
        {
            insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = h.Seq });
            insert.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = h.Hash });
            insert.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = createdAt });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = keys.CurrentId });
            insert.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = mac });
            try
            {
                await insert.ExecuteNonQueryAsync(ct);
                await tx.CommitAsync(ct);
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.UniqueViolation)
            {
                // Another API host signed the same head at the same moment.
                return new Result(null, false, null);
            }
        }

        // Committed: now the copy outside the database. Should that write fail, the checkpoint stands and the error
        // reaches the checkpoint service's log; the file then lacks one checkpoint, which the verifier does not require.
        anchorFile?.Append(h.Seq, h.Hash, createdAt, keys.CurrentId, mac);
        LogCheckpoint(logger, h.Seq);
        return new Result(new AuditCheckpoint(h.Seq, Convert.ToHexStringLower(h.Hash), createdAt, keys.CurrentId), true, null);

        Result Refuse(AuditBreak reason)
        {
            LogRefused(logger, reason.Seq, reason.Reason);
            return new Result(null, false, reason);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Audit checkpoint signed at record {Seq}")]
    private static partial void LogCheckpoint(ILogger logger, long seq);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Audit checkpoint refused: the chain is broken at record {Seq} ({Reason})")]
    private static partial void LogRefused(ILogger logger, long seq, string reason);
}

/// <summary>Reads of the audit tables shared by the verifier, the checkpointer and the admin API.</summary>
internal static class ChainStore
{
    public const string RecordColumns = """
        seq, recorded_at, request_id, actor, actor_ref, role, unit_code, client_address, kind, action, resource, outcome, status,
        purpose, attempt_seq, prev_hash, hash
        """;

    public sealed record StoredCheckpoint(long Seq, byte[] Hash, DateTimeOffset CreatedAt, string KeyId, byte[] Mac)
    {
        public AuditCheckpoint ToView() => new(Seq, Convert.ToHexStringLower(Hash), CreatedAt, KeyId);
    }

    public sealed record Walk(long LastSeq, byte[] LastHash, long Count, AuditBreak? Break);

    public static async Task<(long Seq, byte[] Hash)?> ReadHeadAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT seq, hash FROM audit_chain_head WHERE id", connection, tx);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? (reader.GetInt64(0), reader.GetFieldValue<byte[]>(1)) : null;
    }

    public static async Task<List<StoredCheckpoint>> ReadCheckpointsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT seq, hash, created_at, key_id, mac FROM audit_checkpoints ORDER BY seq", connection, tx);
        return await ReadCheckpoints(cmd, ct);
    }

    public static async Task<StoredCheckpoint?> ReadLastCheckpointAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT seq, hash, created_at, key_id, mac FROM audit_checkpoints ORDER BY seq DESC LIMIT 1", connection, tx);
        return (await ReadCheckpoints(cmd, ct)).FirstOrDefault();
    }

    /// <summary>Verifies the records after <paramref name="afterSeq"/> (whose hash is <paramref name="previous"/>) up to <paramref name="untilSeq"/>.</summary>
    public static async Task<Walk> WalkAsync(NpgsqlConnection connection, NpgsqlTransaction tx, long afterSeq, byte[] previous, long? untilSeq,
        IReadOnlyDictionary<long, byte[]> checkpoints, CancellationToken ct, string chain = AuditChain.MainChain)
    {
        await using var cmd = new NpgsqlCommand($"""
            SELECT {RecordColumns} FROM audit_records
            WHERE chain_id = $3 AND seq > $1 AND ($2::bigint IS NULL OR seq <= $2)
            ORDER BY seq
            """, connection, tx);
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = afterSeq });
        cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint, Value = (object?)untilSeq ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = chain });
        await using var reader = await cmd.ExecuteReaderAsync(CommandBehavior.SequentialAccess, ct);
        var expected = afterSeq + 1;
        long count = 0;
        while (await reader.ReadAsync(ct))
        {
            var record = ReadRecord(reader);
            var seq = record.Seq;
            AuditBreak? broken = null;
            if (seq != expected)
            {
                broken = new AuditBreak(expected, AuditBreakReasons.MissingRecord,
                    seq == expected + 1 ? $"record {expected} is missing" : $"records {expected} to {seq - 1} are missing");
            }
            else if (!record.PrevHash.AsSpan().SequenceEqual(previous))
            {
                broken = new AuditBreak(seq, AuditBreakReasons.LinkMismatch,
                    $"record {seq} does not link to record {seq - 1} (rows reordered, replaced or inserted)");
            }
            else if (!AuditChain.Hash(previous, seq, record.Entry).AsSpan().SequenceEqual(record.Hash))
            {
                broken = new AuditBreak(seq, AuditBreakReasons.HashMismatch, $"the content of record {seq} does not match its hash (edited)");
            }
            else if (checkpoints.TryGetValue(seq, out var signed) && !signed.AsSpan().SequenceEqual(record.Hash))
            {
                broken = new AuditBreak(seq, AuditBreakReasons.CheckpointMismatch,
                    $"record {seq} differs from its signed checkpoint (the chain was rewritten)");
            }

            if (broken is not null)
            {
                return new Walk(expected - 1, previous, count, broken);
            }

            previous = record.Hash;
            expected++;
            count++;
        }

        return new Walk(expected - 1, previous, count, null);
    }

    public static AuditRecord ReadRecord(NpgsqlDataReader r)
    {
        // Columns in RecordColumns order, read sequentially.
        var seq = r.GetInt64(0);
        var time = r.GetFieldValue<DateTimeOffset>(1);
        var requestId = r.GetString(2);
        var actor = r.GetString(3);
        var actorRef = Nullable(r, 4);
        var role = Nullable(r, 5);
        var unit = Nullable(r, 6);
        var address = Nullable(r, 7);
        var kind = r.GetString(8);
        var action = r.GetString(9);
        var resource = r.GetString(10);
        var outcome = r.GetString(11);
        int? status = r.IsDBNull(12) ? null : r.GetInt32(12);
        var purpose = Nullable(r, 13);
        long? attempt = r.IsDBNull(14) ? null : r.GetInt64(14);
        var prev = r.GetFieldValue<byte[]>(15);
        var hash = r.GetFieldValue<byte[]>(16);
        return new AuditRecord(seq, new AuditEntry(time, requestId, actor, actorRef, role, unit, address, kind, action, resource, outcome,
            status, purpose, attempt), prev, hash);
    }

    private static string? Nullable(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static async Task<List<StoredCheckpoint>> ReadCheckpoints(NpgsqlCommand cmd, CancellationToken ct)
    {
        var list = new List<StoredCheckpoint>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add(new StoredCheckpoint(reader.GetInt64(0), reader.GetFieldValue<byte[]>(1), reader.GetFieldValue<DateTimeOffset>(2),
                reader.GetString(3), reader.GetFieldValue<byte[]>(4)));
        }

        return list;
    }
}
