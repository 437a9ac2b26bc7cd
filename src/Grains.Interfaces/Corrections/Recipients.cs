using OrleansLicenses.Access;

namespace OrleansLicenses.Corrections;

/// <summary>Notification recipients: a holder, a unit (all of its clients), or the library operator (the admins).</summary>
public static class Recipients
{
    public const string Operator = "operator";

    public static string Holder(string holderKey) => $"holder:{holderKey}";

    public static string Unit(string unitCode) => $"unit:{unitCode}";

    /// <summary>The recipient a caller reads and marks as: holders their own, admins the operator's, unit clients their unit's.</summary>
    public static string? Of(Caller caller) => caller.Role switch
    {
        Roles.Holder => Holder(caller.Subject),
        Roles.Admin => Operator,
        _ when caller.UnitCode is { Length: > 0 } unit => Unit(unit),
        _ => null,
    };
}
