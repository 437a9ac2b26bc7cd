using OrleansLicenses.Errors;

namespace OrleansLicenses.Access;

/// <summary>
/// The one check in front of every grain's live-state inspection: operators (administrators) only. The admin API
/// already requires the admin role; the grain checks again because the grain, not the edge, owns its access rules,
/// and any Orleans client could otherwise read a licence's face or a holder's list.
/// </summary>
internal static class Inspection
{
    /// <summary>True for an administrator; throws 403 for anyone else.</summary>
    public static bool Allow(Caller caller) => caller.IsAdmin
        ? true
        : throw DomainException.Forbidden("inspect.forbidden", "Only administrators inspect live grain state.");
}
