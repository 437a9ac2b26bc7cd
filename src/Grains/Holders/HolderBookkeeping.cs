using OrleansLicenses.Hosting;

namespace OrleansLicenses.Holders;

// Holder bookkeeping is reachable only from inside the silos: this interface lives in the grain assembly, which the
// API host does not reference, so nothing holding only the public contracts can reserve a licence for a holder or
// use up a holder's authorization. Same grain and key as IHolderGrain.

/// <summary>What the licence grains do on a holder. Key: <c>111:&lt;citizen id&gt;</c> or <c>001:&lt;credit code&gt;</c>.</summary>
[SiloInternal]
public interface IHolderBookkeepingGrain : IGrainWithStringKey
{
    /// <summary>
    /// Reserves a licence for this holder before it is written; for a type that allows one live licence per holder
    /// a second live one is refused with a conflict naming the existing licence.
    /// </summary>
    Task ReserveAsync(string licenseNumber, string typeCode, bool multipleInstances);

    /// <summary>
    /// Uses an authorization for one verification if it covers the licence, unit, matter and purpose (用证事由: the
    /// holder granted it for one purpose, as a presentation is) and is neither expired, withdrawn nor used up; counts
    /// the use durably. False otherwise.
    /// </summary>
    /// <remarks><paramref name="verifierHandlesMatter"/>: whether the verifier's business scope lists the matter; a grant
    /// to a matter (without a unit) only lets units that really handle that matter use it.</remarks>
    Task<bool> ConsumeAuthorizationAsync(string authorizationId, string licenseNumber, string unitCode, string matterCode, string purpose, bool verifierHandlesMatter);
}
