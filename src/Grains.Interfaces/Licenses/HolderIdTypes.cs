namespace OrleansLicenses.Licenses;

/// <summary>Holder id types (DESIGN.md §3): the code before the id number in <see cref="HolderRef"/>.</summary>
public static class HolderIdTypes
{
    /// <summary>居民身份证号码 (GB 11643).</summary>
    public const string Citizen = "111";

    /// <summary>统一社会信用代码 (GB 32100).</summary>
    public const string Organization = "001";
}
