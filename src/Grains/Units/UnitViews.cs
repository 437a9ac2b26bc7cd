namespace OrleansLicenses.Units;

/// <summary>What a unit's state looks like on the wire (the unit grain's answers and its read-model row alike).</summary>
public static class UnitViews
{
    public static UnitView Of(string unitCode, UnitState s)
    {
        var certificates = s.Keys.Select((k, i) => new UnitCertificateView(
            k.SerialNumber, Convert.ToBase64String(k.Certificate), k.NotBefore, k.NotAfter, i == s.Keys.Count - 1)).ToList();
        return new UnitView(unitCode, s.Definition!, certificates, s.UpdatedAt, s.UpdatedBy, s.Revision);
    }
}
