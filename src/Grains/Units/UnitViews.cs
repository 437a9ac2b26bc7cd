namespace OrleansLicenses.Units;

/// <summary>What a unit's state looks like on the wire (the unit grain's answers and its read-model row alike).</summary>
public static class UnitViews
{
    public static UnitView Of(string unitCode, UnitState s)
    {
        var certificates = s.Keys.Select((k, i) => new UnitCertificateView(
            k.SerialNumber, Convert.ToBase64String(k.Certificate), k.NotBefore, k.NotAfter, i == s.Keys.Count - 1)).ToList();
        return new UnitView(unitCode, s.Definition!.ToWire(), certificates, s.UpdatedAt, s.UpdatedBy, s.Revision);
    }
}

/// <summary>A unit definition as stored in the unit's state; the property names are those the wire record had.</summary>
public sealed record UnitDefinitionState(
    string Name, string RegionCode, string Level, string? ParentUnitCode, List<string> IssuableTypes, List<MatterScopeState> Scope, string Status)
{
    public static UnitDefinitionState From(UnitDefinition d) => new(d.Name, d.RegionCode, d.Level, d.ParentUnitCode, [.. d.IssuableTypes],
        [.. d.Scope.Select(m => new MatterScopeState(m.MatterCode, m.MatterName, [.. m.LicenseTypes]))], d.Status);

    // Concrete lists: the Orleans serializer has no codec for a compiler-made collection.
    public UnitDefinition ToWire() => new(Name, RegionCode, Level, ParentUnitCode, IssuableTypes.ToList(),
        Scope.Select(m => new MatterScope(m.MatterCode, m.MatterName, m.LicenseTypes.ToList())).ToList(), Status);
}

public sealed record MatterScopeState(string MatterCode, string MatterName, List<string> LicenseTypes);
