using System.Buffers.Binary;
using System.Text;
using Org.BouncyCastle.Crypto.Digests;

namespace OrleansLicenses.Audit;

/// <summary>What one audit record says (everything but its place in the chain).</summary>
/// <param name="Time">When the request was recorded, UTC, truncated to whole microseconds (PostgreSQL's precision).</param>
/// <param name="RequestId">The HTTP request id (the <c>Caller.RequestId</c> that grains receive).</param>
/// <param name="Actor">Client id, <c>anonymous</c>, or holder <c>idType:idNumber</c> with a natural person's id masked.</param>
/// <param name="ActorRef">Keyed SM3 of the unmasked subject, so an administrator can find one person's records.</param>
/// <param name="Role">The caller's role from the token.</param>
/// <param name="UnitCode">The unit a system client acts for.</param>
/// <param name="ClientAddress">The remote address of the connection.</param>
/// <param name="Kind">One of <see cref="AuditKinds"/>.</param>
/// <param name="Action">The endpoint's name (<c>IssueLicense</c>), or its method and route pattern.</param>
/// <param name="Resource">Path and query of the request (masked); on a 201 outcome, the created resource.</param>
/// <param name="Outcome">One of <see cref="AuditOutcomes"/>.</param>
/// <param name="Status">HTTP status of the answer; absent on an attempt record.</param>
/// <param name="Purpose">Why (用证事由): the <c>Audit-Purpose</c> header or what the handler set.</param>
/// <param name="AttemptSeq">On the outcome record of a write: the sequence number of its attempt record.</param>
[GenerateSerializer, Immutable, Alias("ol.AuditEntry")]
public sealed record AuditEntry(
    [property: Id(0)] DateTimeOffset Time,
    [property: Id(1)] string RequestId,
    [property: Id(2)] string Actor,
    [property: Id(3)] string? ActorRef,
    [property: Id(4)] string? Role,
    [property: Id(5)] string? UnitCode,
    [property: Id(6)] string? ClientAddress,
    [property: Id(7)] string Kind,
    [property: Id(8)] string Action,
    [property: Id(9)] string Resource,
    [property: Id(10)] string Outcome,
    [property: Id(11)] int? Status,
    [property: Id(12)] string? Purpose,
    [property: Id(13)] long? AttemptSeq);

/// <summary>A stored record: the entry, its sequence number and its links.</summary>
public sealed record AuditRecord(long Seq, AuditEntry Entry, byte[] PrevHash, byte[] Hash);

public static class AuditKinds
{
    public const string Write = "write";
    public const string Read = "read";

    /// <summary>Refused by an authorization policy before reaching an endpoint (401, 403).</summary>
    public const string Access = "access";

    /// <summary>A failed token request.</summary>
    public const string Authentication = "authentication";
}

public static class AuditOutcomes
{
    /// <summary>The write was about to be executed; written (durably) before it is.</summary>
    public const string Attempted = "attempted";
    public const string Succeeded = "succeeded";

    /// <summary>401 or 403.</summary>
    public const string Denied = "denied";

    /// <summary>404: nonexistent and not-yours are deliberately indistinguishable.</summary>
    public const string NotFound = "not_found";

    /// <summary>Another 4xx: invalid request, conflict.</summary>
    public const string Rejected = "rejected";
    public const string Failed = "failed";

    public static string FromStatus(int status) => status switch
    {
        < 400 => Succeeded,
        401 or 403 => Denied,
        404 => NotFound,
        < 500 => Rejected,
        _ => Failed,
    };
}

/// <summary>
/// The chain: <c>hash(n) = SM3(hash(n-1) || canonical(n))</c> with <c>hash(0)</c> 32 zero bytes. The canonical
/// bytes of a record are, in this order:
/// <list type="bullet">
/// <item>the ASCII tag <c>OLAUDIT1</c>;</item>
/// <item><c>seq</c> as a big-endian int64; the time as big-endian int64 microseconds since 1970-01-01T00:00Z;</item>
/// <item>the texts request id, actor, actor ref, role, unit code, client address, kind, action, resource, outcome,
/// purpose, each as a big-endian int32 byte length (-1 for null) followed by its UTF-8 bytes;</item>
/// <item>status and attempt seq as big-endian int64 (-1 for null).</item>
/// </list>
/// Length prefixes make the encoding unambiguous, so no two different records share canonical bytes; anyone can
/// re-implement the verifier from this description and the table.
/// </summary>
public static class AuditChain
{
    public const int HashLength = 32;

    private static readonly byte[] Tag = "OLAUDIT1"u8.ToArray();

    /// <summary>The chain the API hosts extend (the only chain before per-silo chains existed).</summary>
    public const string MainChain = "main";

    private static readonly byte[] ChainTag = "OLCHAIN1"u8.ToArray();

    /// <summary>The <c>prev_hash</c> of record 1 of the main chain.</summary>
    public static byte[] Genesis => new byte[HashLength];

    /// <summary>
    /// The <c>prev_hash</c> of record 1 of a chain: 32 zero bytes for <see cref="MainChain"/>, otherwise
    /// <c>SM3("OLCHAIN1" || UTF-8 chain id)</c>, so a record cannot be moved from one chain to another unnoticed.
    /// </summary>
    public static byte[] GenesisOf(string chainId)
    {
        if (chainId == MainChain)
        {
            return Genesis;
        }

        var digest = new SM3Digest();
        digest.BlockUpdate(ChainTag);
        digest.BlockUpdate(Encoding.UTF8.GetBytes(chainId));
        var hash = new byte[HashLength];
        digest.DoFinal(hash);
        return hash;
    }

    public static DateTimeOffset Truncate(DateTimeOffset time)
    {
        var utc = time.UtcTicks;
        return new DateTimeOffset(utc - (utc % 10), TimeSpan.Zero);
    }

    public static long ToUnixMicroseconds(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    public static byte[] Hash(ReadOnlySpan<byte> previous, long seq, AuditEntry entry)
    {
        var digest = new SM3Digest();
        digest.BlockUpdate(previous);
        digest.BlockUpdate(Canonical(seq, entry));
        var hash = new byte[HashLength];
        digest.DoFinal(hash);
        return hash;
    }

    public static byte[] Canonical(long seq, AuditEntry e)
    {
        using var buffer = new MemoryStream(256);
        buffer.Write(Tag);
        WriteInt64(buffer, seq);
        WriteInt64(buffer, ToUnixMicroseconds(e.Time));
        foreach (var text in (ReadOnlySpan<string?>)[e.RequestId, e.Actor, e.ActorRef, e.Role, e.UnitCode, e.ClientAddress, e.Kind, e.Action,
                     e.Resource, e.Outcome, e.Purpose])
        {
            WriteText(buffer, text);
        }

        WriteInt64(buffer, e.Status ?? -1);
        WriteInt64(buffer, e.AttemptSeq ?? -1);
        return buffer.ToArray();
    }

    private static void WriteInt64(MemoryStream buffer, long value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        buffer.Write(bytes);
    }

    private static void WriteText(MemoryStream buffer, string? text)
    {
        Span<byte> length = stackalloc byte[4];
        if (text is null)
        {
            BinaryPrimitives.WriteInt32BigEndian(length, -1);
            buffer.Write(length);
            return;
        }

        var bytes = Encoding.UTF8.GetBytes(text);
        BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
        buffer.Write(length);
        buffer.Write(bytes);
    }
}
