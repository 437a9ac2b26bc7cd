namespace OrleansLicenses.ApiHost.Audit;

/// <summary>Counting of denied requests (401, 403, the edge's 429), bound from <c>Audit:Denials</c>.</summary>
public sealed class DenialAuditSettings
{
    public const string Section = "Audit:Denials";

    /// <summary>How often each API host writes its counts to <c>access_denials</c> (and once more when it stops).</summary>
    public int FlushIntervalSeconds { get; set; } = 15;

    /// <summary>
    /// Most distinct (network, status, minute, actor, action) keys held between flushes; past it, a key's denials are
    /// counted in the <c>other</c> key of their status and minute.
    /// </summary>
    public int MaxKeys { get; set; } = 4096;

    /// <summary>Room for <c>other</c> keys past <see cref="MaxKeys"/>; past both, denials are only counted as dropped.</summary>
    public int MaxOverflowKeys { get; set; } = 64;
}
