namespace OrleansLicenses.Catalog;

// A licence type as stored (grain_states, JSON). The records are the state's own, not the wire records of
// Grains.Interfaces, so a contract can change without changing what is stored; the property names are those the
// wire records had when this shape was introduced, so rows written before load unchanged (LicenseStoredShapeTests).

public sealed class LicenseTypeState
{
    /// <summary>Every catalogue version, oldest first; licences record the version they were issued under.</summary>
    public List<LicenseTypeVersionState> Versions { get; set; } = [];
}

public sealed class LicenseTypeFilesState
{
    public Dictionary<string, CatalogFileState> Files { get; set; } = new(StringComparer.Ordinal);
}

public sealed record CatalogFileState(string Kind, string ContentType, byte[] Content);

public sealed record LicenseTypeVersionState(
    string TypeCode, int CatalogVersion, LicenseTypeDefinitionState Definition, List<CatalogFileInfoState> Files,
    DateTimeOffset UpdatedAt, string UpdatedBy)
{
    public static LicenseTypeVersionState From(LicenseTypeView v) => new(v.TypeCode, v.CatalogVersion,
        LicenseTypeDefinitionState.From(v.Definition), [.. v.Files.Select(CatalogFileInfoState.From)], v.UpdatedAt, v.UpdatedBy);

    // Wire lists are concrete List<T>: the Orleans serializer has no codec for a compiler-made collection.
    public LicenseTypeView ToWire() => new(TypeCode, CatalogVersion, Definition.ToWire(), Files.Select(f => f.ToWire()).ToList(), UpdatedAt, UpdatedBy);
}

public sealed record LicenseTypeDefinitionState(
    string Name, string DefiningAuthorityCode, string HolderCategory, List<FieldDefinitionState> Fields, ValidityRuleState Validity,
    bool PublicDisclosure, List<string> PublicFields, string Sensitivity, bool MultipleInstances)
{
    public static LicenseTypeDefinitionState From(LicenseTypeDefinition d) => new(d.Name, d.DefiningAuthorityCode, d.HolderCategory,
        [.. d.Fields.Select(FieldDefinitionState.From)], new(d.Validity.Years, d.Validity.LongTerm), d.PublicDisclosure, [.. d.PublicFields],
        d.Sensitivity, d.MultipleInstances);

    public LicenseTypeDefinition ToWire() => new(Name, DefiningAuthorityCode, HolderCategory, Fields.Select(f => f.ToWire()).ToList(),
        new ValidityRule(Validity.Years, Validity.LongTerm), PublicDisclosure, PublicFields.ToList(), Sensitivity, MultipleInstances);
}

public sealed record FieldDefinitionState(string Key, string Name, string Type, bool Required, int? MaxLength, string? Pattern, List<string>? Values)
{
    public static FieldDefinitionState From(FieldDefinition f) =>
        new(f.Key, f.Name, f.Type, f.Required, f.MaxLength, f.Pattern, f.Values is null ? null : [.. f.Values]);

    public FieldDefinition ToWire() => new(Key, Name, Type, Required, MaxLength, Pattern, Values?.ToList());
}

public sealed record ValidityRuleState(int? Years, bool LongTerm);

public sealed record CatalogFileInfoState(string Kind, string ContentType, int Size, string Sha256, int CatalogVersion)
{
    public static CatalogFileInfoState From(CatalogFileInfo f) => new(f.Kind, f.ContentType, f.Size, f.Sha256, f.CatalogVersion);

    public CatalogFileInfo ToWire() => new(Kind, ContentType, Size, Sha256, CatalogVersion);
}
