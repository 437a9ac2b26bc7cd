using OrleansLicenses.Units;

namespace OrleansLicenses.Signing;

/// <summary>One unit's decrypted signing key as cached by <see cref="UnitSigners"/>, with when it was last confirmed.</summary>
internal sealed class CachedUnitKey(Sm2SigningKey key, byte[] certificate, string serialNumber, DateTimeOffset notAfter, DateTimeOffset fetchedAt)
{
    private readonly DateTimeOffset renewalStart = notAfter - UnitGrain.RenewBefore;

    public string SerialNumber => serialNumber;

    /// <summary>
    /// Within <see cref="UnitSigners.RefreshInterval"/> of the last answer of the unit grain, and not newly inside the
    /// renewal window (a key fetched already inside it is one the grain could not renew: asking on every signature
    /// would not help).
    /// </summary>
    public bool IsFreshAt(DateTimeOffset now) =>
        now < fetchedAt + UnitSigners.RefreshInterval && (now < renewalStart || fetchedAt >= renewalStart);

    public CachedUnitKey ConfirmedAt(DateTimeOffset at) => new(key, certificate, serialNumber, notAfter, at);

    public UnitSignature Sign(ReadOnlySpan<byte> data) => new(key.Sign(data), certificate, serialNumber);

    public override string ToString() => $"CachedUnitKey(serial {serialNumber})";
}

/// <summary>The cache slot of one unit: the current key and the one load in flight, shared by concurrent callers.</summary>
internal sealed class UnitKeyCache(string unitCode)
{
    private readonly Lock gate = new();
    private volatile CachedUnitKey? current;
    private Task<CachedUnitKey>? loading;

    public CachedUnitKey? Current => current;

    /// <summary>The current key if fresh, else the result of the load in flight, starting one if none is.</summary>
    public Task<CachedUnitKey> RefreshAsync(Func<string, CachedUnitKey?, Task<CachedUnitKey>> load, TimeProvider time)
    {
        lock (gate)
        {
            if (current is { } key && key.IsFreshAt(time.GetUtcNow()))
            {
                return Task.FromResult(key);
            }

            // A failed load (unit suspended, grain call timed out) is not cached: the next caller tries again.
            if (loading is null || loading.IsCompleted)
            {
                loading = LoadAndPublishAsync(load);
            }

            return loading;
        }
    }

    private async Task<CachedUnitKey> LoadAndPublishAsync(Func<string, CachedUnitKey?, Task<CachedUnitKey>> load)
    {
        var key = await load(unitCode, current).ConfigureAwait(false);
        current = key;
        return key;
    }
}
