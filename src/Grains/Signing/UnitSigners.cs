using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using OrleansLicenses.Units;

namespace OrleansLicenses.Signing;

/// <summary>
/// The silo's signing service for unit keys: signs on the caller's thread with a pooled signer of the unit's current key,
/// so licence grains sign in parallel on every core instead of queueing in the unit grain's single turn.
/// </summary>
/// <remarks>
/// <para>
/// The key material comes from the unit grain (<see cref="IUnitSigningGrain.GetSigningKeyAsync"/>, which refuses an
/// inactive unit and renews an expiring key first) still encrypted, is decrypted here with the silo's
/// <see cref="SigningKeyProtection"/> once per key and is kept in this silo's memory only: never logged, never persisted.
/// </para>
/// <para>
/// Refresh: the cached key is asked for again after <see cref="RefreshInterval"/>, and at once when its certificate
/// enters the unit grain's renewal window (30 days before it expires), so that the grain renews it. Concurrent
/// requests for a unit whose key is missing or stale share one grain call; signing waits for it, so a unit that was
/// suspended stops signing on every silo within the interval.
/// </para>
/// </remarks>
public sealed partial class UnitSigners(
    IGrainFactory grains,
    SigningKeyProtection protection,
    TimeProvider time,
    ILogger<UnitSigners> logger)
{
    /// <summary>
    /// How long a cached key signs before the unit grain is asked again. A rotation or suspension made through another
    /// silo reaches this one within this time; until then signatures use the previous key, whose certificate stays
    /// valid and published, so they remain verifiable. One grain call per unit per silo per minute costs nothing.
    /// </summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(60);

    // One entry per issuing unit that signed on this silo: bounded by the number of units, not by traffic.
    private readonly ConcurrentDictionary<string, UnitKeyCache> units = new(StringComparer.Ordinal);

    /// <summary>Signs <paramref name="data"/> with the unit's current key (SM2 with SM3, default user id).</summary>
    /// <exception cref="Errors.DomainException">The unit is not active or has no key (<c>unit.cannot_sign</c>).</exception>
    public ValueTask<UnitSignature> SignAsync(string unitCode, ReadOnlyMemory<byte> data)
    {
        ArgumentException.ThrowIfNullOrEmpty(unitCode);
        var cache = units.GetOrAdd(unitCode, static code => new UnitKeyCache(code));
        if (cache.Current is { } key && key.IsFreshAt(time.GetUtcNow()))
        {
            return ValueTask.FromResult(key.Sign(data.Span));
        }

        return SignAfterRefreshAsync(cache, data);
    }

    private async ValueTask<UnitSignature> SignAfterRefreshAsync(UnitKeyCache cache, ReadOnlyMemory<byte> data)
    {
        var key = await cache.RefreshAsync(LoadAsync, time);
        return key.Sign(data.Span);
    }

    private async Task<CachedUnitKey> LoadAsync(string unitCode, CachedUnitKey? previous)
    {
        // Not a grain: the shared continuation must not be posted to the activation that happened to start the load
        // (its callers each resume in their own grain context when they await the shared task).
        var stored = await grains.GetGrain<IUnitSigningGrain>(unitCode).GetSigningKeyAsync().ConfigureAwait(false);
        var fetchedAt = time.GetUtcNow();
        if (previous is not null && previous.SerialNumber == stored.SerialNumber)
        {
            LogKeyConfirmed(unitCode, stored.SerialNumber);
            return previous.ConfirmedAt(fetchedAt);
        }

        var pair = protection.Unprotect(stored.EncryptedPrivateKey, unitCode);
        LogKeyLoaded(unitCode, stored.SerialNumber, stored.NotAfter);
        return new CachedUnitKey(pair.SigningKey, stored.Certificate, stored.SerialNumber, stored.NotAfter, fetchedAt);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Signing key {SerialNumber} of unit {UnitCode} loaded on this silo (certificate valid until {NotAfter})")]
    private partial void LogKeyLoaded(string unitCode, string serialNumber, DateTimeOffset notAfter);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Signing key {SerialNumber} of unit {UnitCode} is still current")]
    private partial void LogKeyConfirmed(string unitCode, string serialNumber);
}
