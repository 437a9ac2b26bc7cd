namespace OrleansLicenses.Idempotency;

/// <summary>
/// One <c>Idempotency-Key</c> of one client. Key: <c>{clientId}/{idempotency key}</c>. The first successful
/// result is kept for <see cref="Retention"/>; while a request is in flight a duplicate is refused.
/// </summary>
public interface IIdempotencyGrain : IGrainWithStringKey
{
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    /// <summary>Starts a request with the hash of its method, path and body; says whether to proceed, replay or refuse.</summary>
    Task<IdempotencyDecision> BeginAsync(string requestHash);

    /// <summary>Stores the successful result durably; later duplicates replay it.</summary>
    Task CompleteAsync(string requestHash, int statusCode, string body, string? location);

    /// <summary>Forgets an in-flight request that failed, so the client may retry with the same key.</summary>
    Task AbandonAsync(string requestHash);
}

public enum IdempotencyOutcome
{
    Proceed = 0,
    Replay = 1,
    InFlight = 2,
    Mismatch = 3,
}

[GenerateSerializer, Immutable, Alias("ol.IdempotencyDecision")]
public sealed record IdempotencyDecision(
    [property: Id(0)] IdempotencyOutcome Outcome,
    [property: Id(1)] int StatusCode,
    [property: Id(2)] string? Body,
    [property: Id(3)] string? Location);
