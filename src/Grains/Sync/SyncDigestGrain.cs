using Orleans.Concurrency;
using OrleansLicenses.Access;
using OrleansLicenses.Errors;
using OrleansLicenses.Identifiers;

namespace OrleansLicenses.Sync;

/// <summary>Consistency digests on any silo (a query and SM3 hashing; no state).</summary>
[StatelessWorker]
public sealed class SyncDigestGrain(DigestQuery query) : Grain, ISyncDigestGrain
{
    /// <summary>More leaves than this are not listed in one answer; ask per day.</summary>
    public const int MaxListedLeaves = 20_000;

    async Task<SyncDigest> ISyncDigestGrain.DigestAsync(string issuer, DateOnly? from, DateOnly? to, bool leaves, Caller caller)
    {
        if (!caller.IsAdmin && (caller.Role != Roles.Sync || caller.RegionCode is null))
        {
            throw DomainException.Forbidden("license.forbidden", "Only sync clients and administrators read digests.");
        }

        // A sync client sees the licences of issuers inside its region only (the others are not its library's to compare).
        var rows = await query.LeavesAsync(issuer, from, to);
        var visible = rows.Where(r => caller.IsAdmin || Regions.IsWithin(r.Region, caller.RegionCode)).Select(r => r.Leaf).ToList();
        if (leaves && visible.Count > MaxListedLeaves)
        {
            throw DomainException.Invalid("request.invalid", "leaves", $"more than {MaxListedLeaves} licences in the range; ask for a shorter range");
        }

        return DigestQuery.Digest(issuer, from, to, visible, leaves);
    }
}
