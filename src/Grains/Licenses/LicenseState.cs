namespace OrleansLicenses.Licenses;

/// <summary>One signed version of a licence. Versions are few (changes and extensions), so all are kept.</summary>
public sealed class LicenseVersionState
{
    public string Version { get; set; } = "";
    public string Identifier { get; set; } = "";
    public LicenseHolderState Holder { get; set; } = new("", "", "");
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

    /// <summary><c>mismatch</c> for a digitized paper licence's identifier whose check character is wrong (kept as it came).</summary>
    public string IdentifierCheck { get; set; } = IdentifierChecks.Ok;
}

/// <summary>
/// A licence as stored (<c>license_state.state</c>, JSON). Its classes and records are its own, not the wire records
/// of Grains.Interfaces, so a contract field can be renamed without changing what is stored (and stored JSON written
/// by an older shape keeps loading: LicenseStoredShapeTests).
/// </summary>
public sealed class LicenseState
{
    public string TypeCode { get; set; } = "";
    public string IssuerCode { get; set; } = "";
    public string IssuerRegion { get; set; } = "";
    public string Serial { get; set; } = "";
    public Lifecycle? Lifecycle { get; set; }
    public List<LicenseVersionState> Versions { get; set; } = [];
    public List<LicenseHistoryState> History { get; set; } = [];
    public DateTimeOffset IssuedAt { get; set; }

    /// <summary>Increases with every write; the read model keeps only the newest projection.</summary>
    public int Revision { get; set; }

    /// <summary>The region of the lower library this licence was aggregated from; null for a licence issued here.</summary>
    public string? SourceLibrary { get; set; }

    /// <summary>For an aggregated licence: the newest change applied, as numbered by the source (never goes back).</summary>
    public int SourceSeq { get; set; }

    /// <summary><c>online</c>, <c>offline</c> or <c>legacy</c> (<see cref="LicenseOrigins"/>).</summary>
    public string Origin { get; set; } = LicenseOrigins.Online;

    /// <summary>The source system's record id of an imported licence (idempotency per issuer and source id).</summary>
    public string? SourceId { get; set; }

    /// <summary>A legacy licence's own identifier as imported (verbatim, a wrong check character included).</summary>
    public string? LegacyIdentifier { get; set; }

    /// <summary>A legacy licence's original issue date (on paper).</summary>
    public DateOnly? OriginalIssueDate { get; set; }
}

/// <summary>The holder as stored with a version (the wire's <see cref="HolderRef"/> has the same three values).</summary>
public sealed record LicenseHolderState(string IdType, string IdNumber, string Name)
{
    /// <summary>The holder grain key, <c>idType:idNumber</c>.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string Key => $"{IdType}:{IdNumber}";

    public static LicenseHolderState From(HolderRef holder) => new(holder.IdType, holder.IdNumber, holder.Name);

    public HolderRef ToWire() => new(IdType, IdNumber, Name);
}

/// <summary>One stored history entry: who did what, when, why, on which version, and the status it left.</summary>
public sealed record LicenseHistoryState(DateTimeOffset At, string Actor, string Action, string? Reason, string Version, string Identifier, string Status)
{
    public HistoryEntry ToWire() => new(At, Actor, Action, Reason, Version, Identifier, Status);
}
