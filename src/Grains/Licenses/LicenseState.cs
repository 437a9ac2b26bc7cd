namespace OrleansLicenses.Licenses;

/// <summary>One signed version of a licence. Versions are few (changes and extensions), so all are kept.</summary>
public sealed class LicenseVersionState
{
    public string Version { get; set; } = "";
    public string Identifier { get; set; } = "";
    public HolderRef Holder { get; set; } = new("", "", "");
    public Dictionary<string, string> Fields { get; set; } = new(StringComparer.Ordinal);
    public DateOnly ValidFrom { get; set; }
    public DateOnly? ValidUntil { get; set; }
    public int CatalogVersion { get; set; }
    public DateTimeOffset SignedAt { get; set; }

    /// <summary>The exact signed text (RFC 8785 canonical JSON).</summary>
    public string Canonical { get; set; } = "";
    public byte[] Signature { get; set; } = [];
    public byte[] Certificate { get; set; } = [];
    public string? SupersededBy { get; set; }
}

public sealed class LicenseState
{
    public string TypeCode { get; set; } = "";
    public string IssuerCode { get; set; } = "";
    public string IssuerRegion { get; set; } = "";
    public string Serial { get; set; } = "";
    public Lifecycle? Lifecycle { get; set; }
    public List<LicenseVersionState> Versions { get; set; } = [];
    public List<HistoryEntry> History { get; set; } = [];
    public DateTimeOffset IssuedAt { get; set; }

    /// <summary>Increases with every write; the read model keeps only the newest projection.</summary>
    public int Revision { get; set; }
}
