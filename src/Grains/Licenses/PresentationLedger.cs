using OrleansLicenses.Verification;

namespace OrleansLicenses.Licenses;

/// <summary>
/// The uses of this licence's presentation tokens (亮证码) while they live: a token is spent by accepted verifications
/// up to the number of uses its holder allowed, and only by the unit that used it first — a hall that received a QR
/// code cannot pass it on to a unit with a wider scope. The ledger lives in the licence's activation; every accepted use
/// is also in <c>license_uses.presentation_id</c> (committed before the answer), from which a new activation learns
/// the uses of tokens made before it started (<see cref="Journal.PresentationUseStore"/>). Entries leave when their token
/// expires, so the ledger stays as small as the tokens alive (at most 10 minutes each).
/// </summary>
public sealed class PresentationLedger
{
    private readonly Dictionary<string, Entry> entries = new(StringComparer.Ordinal);

    /// <summary>The ledger holds what it needs to decide on <paramref name="token"/>.</summary>
    public bool Knows(PresentedToken token) => entries.ContainsKey(token.Id);

    /// <summary>What the database says earlier activations accepted for <paramref name="token"/>.</summary>
    public void Learn(PresentedToken token, string? unitCode, int uses)
    {
        if (unitCode is not null && !entries.ContainsKey(token.Id))
        {
            entries[token.Id] = new Entry(unitCode, uses, token.ExpiresAt);
        }
    }

    /// <summary>
    /// Spends one use for <paramref name="unitCode"/>, or answers false when the token is used up or bound to another
    /// unit. Synchronous: between the check and the spend no other call of the grain can interleave.
    /// </summary>
    public bool TrySpend(PresentedToken token, string unitCode, DateTimeOffset now)
    {
        Prune(now);
        if (entries.TryGetValue(token.Id, out var entry))
        {
            if (entry.UnitCode != unitCode || entry.Uses >= Math.Clamp(token.MaxUses, 1, PresentedToken.MaxAllowedUses))
            {
                return false;
            }

            entries[token.Id] = entry with { Uses = entry.Uses + 1 };
            return true;
        }

        entries[token.Id] = new Entry(unitCode, 1, token.ExpiresAt);
        return true;
    }

    /// <summary>Gives back a use whose record did not commit (the verification was not answered).</summary>
    public void Refund(PresentedToken token)
    {
        if (entries.TryGetValue(token.Id, out var entry))
        {
            if (entry.Uses <= 1)
            {
                entries.Remove(token.Id);
            }
            else
            {
                entries[token.Id] = entry with { Uses = entry.Uses - 1 };
            }
        }
    }

    public int Count => entries.Count;

    private void Prune(DateTimeOffset now)
    {
        if (entries.Count < 32)
        {
            return;
        }

        foreach (var (id, entry) in entries)
        {
            if (entry.ExpiresAt <= now)
            {
                entries.Remove(id);
            }
        }
    }

    private sealed record Entry(string UnitCode, int Uses, DateTimeOffset ExpiresAt);
}
