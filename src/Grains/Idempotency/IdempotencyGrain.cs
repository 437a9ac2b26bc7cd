using OrleansLicenses.Hosting;

namespace OrleansLicenses.Idempotency;

public sealed class IdempotencyState
{
    public string? RequestHash { get; set; }
    public int StatusCode { get; set; }
    public string? Body { get; set; }
    public string? Location { get; set; }
    public DateTimeOffset CompletedAt { get; set; }
}

/// <summary>
/// Remembers the first successful result for one client's idempotency key. The in-flight marker is kept in
/// memory only: a request whose host died leaves nothing behind that would block the client's retry.
/// </summary>
public sealed class IdempotencyGrain(
    [PersistentState("idempotency", StorageNames.Store)] IPersistentState<IdempotencyState> state,
    TimeProvider time) : Grain, IIdempotencyGrain
{
    private static readonly TimeSpan InFlightLimit = TimeSpan.FromMinutes(2);
    private (string Hash, DateTimeOffset Since)? inFlight;

    Task<IdempotencyDecision> IIdempotencyGrain.BeginAsync(string requestHash)
    {
        var now = time.GetUtcNow();
        var s = state.State;
        if (s.RequestHash is not null && now - s.CompletedAt < IIdempotencyGrain.Retention)
        {
            return Task.FromResult(s.RequestHash == requestHash
                ? new IdempotencyDecision(IdempotencyOutcome.Replay, s.StatusCode, s.Body, s.Location)
                : new IdempotencyDecision(IdempotencyOutcome.Mismatch, 0, null, null));
        }

        if (inFlight is { } running && now - running.Since < InFlightLimit)
        {
            return Task.FromResult(new IdempotencyDecision(
                running.Hash == requestHash ? IdempotencyOutcome.InFlight : IdempotencyOutcome.Mismatch, 0, null, null));
        }

        inFlight = (requestHash, now);
        return Task.FromResult(new IdempotencyDecision(IdempotencyOutcome.Proceed, 0, null, null));
    }

    async Task IIdempotencyGrain.CompleteAsync(string requestHash, int statusCode, string body, string? location)
    {
        state.State = new IdempotencyState
        {
            RequestHash = requestHash,
            StatusCode = statusCode,
            Body = body,
            Location = location,
            CompletedAt = time.GetUtcNow(),
        };
        await state.WriteOrDeactivateAsync(this);
        inFlight = null;
    }

    Task IIdempotencyGrain.AbandonAsync(string requestHash)
    {
        if (inFlight?.Hash == requestHash)
        {
            inFlight = null;
        }

        return Task.CompletedTask;
    }
}
