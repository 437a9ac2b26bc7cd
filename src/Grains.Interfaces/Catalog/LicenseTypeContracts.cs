using OrleansLicenses.Access;

namespace OrleansLicenses.Catalog;

/// <summary>A licence type in the catalogue (证照目录). Key: the 21-character type code.</summary>
public interface ILicenseTypeGrain : IGrainWithStringKey
{
    /// <summary>Creates or changes the type; every change makes a new catalogue version.</summary>
    Task<LicenseTypeView> DefineAsync(LicenseTypeDefinition definition, Caller caller);

    /// <summary>Attaches a template, sample or seal image; makes a new catalogue version.</summary>
    Task<LicenseTypeView> AttachFileAsync(CatalogFile file, Caller caller);

    /// <summary>The current definition, or a given catalogue version; null when the type is not defined.</summary>
    Task<LicenseTypeView?> GetAsync(int? version = null);

    /// <summary>An attached file with its content, or null.</summary>
    Task<CatalogFile?> GetFileAsync(string kind);

    /// <summary>The live state for operators; administrators only (anyone else is refused with 403).</summary>
    Task<LicenseTypeView?> InspectAsync(Caller caller);
}

/// <summary>One face element (照面要素) of a licence type.</summary>
[GenerateSerializer, Immutable, Alias("ol.FieldDefinition")]
public sealed record FieldDefinition(
    [property: Id(0)] string Key,
    [property: Id(1)] string Name,
    [property: Id(2)] string Type,
    [property: Id(3)] bool Required = false,
    [property: Id(4)] int? MaxLength = null,
    [property: Id(5)] string? Pattern = null,
    [property: Id(6)] IReadOnlyList<string>? Values = null);

/// <summary>How long a licence of the type is valid: a number of years, or long-term (长期).</summary>
[GenerateSerializer, Immutable, Alias("ol.ValidityRule")]
public sealed record ValidityRule(
    [property: Id(0)] int? Years,
    [property: Id(1)] bool LongTerm = false);

/// <summary>What an administrator defines for a licence type (DESIGN.md §6.1).</summary>
[GenerateSerializer, Immutable, Alias("ol.LicenseTypeDefinition")]
public sealed record LicenseTypeDefinition(
    [property: Id(0)] string Name,
    [property: Id(1)] string DefiningAuthorityCode,
    [property: Id(2)] string HolderCategory,
    [property: Id(3)] IReadOnlyList<FieldDefinition> Fields,
    [property: Id(4)] ValidityRule Validity,
    [property: Id(5)] bool PublicDisclosure,
    [property: Id(6)] IReadOnlyList<string> PublicFields,
    [property: Id(7)] string Sensitivity,
    [property: Id(8)] bool MultipleInstances);

/// <summary>A file attached to a type: its metadata travels in views, its content only on request.</summary>
[GenerateSerializer, Immutable, Alias("ol.CatalogFileInfo")]
public sealed record CatalogFileInfo(
    [property: Id(0)] string Kind,
    [property: Id(1)] string ContentType,
    [property: Id(2)] int Size,
    [property: Id(3)] string Sha256,
    [property: Id(4)] int CatalogVersion);

[GenerateSerializer, Immutable, Alias("ol.CatalogFile")]
public sealed record CatalogFile(
    [property: Id(0)] string Kind,
    [property: Id(1)] string ContentType,
    [property: Id(2)] byte[] Content);

[GenerateSerializer, Immutable, Alias("ol.LicenseTypeView")]
public sealed record LicenseTypeView(
    [property: Id(0)] string TypeCode,
    [property: Id(1)] int CatalogVersion,
    [property: Id(2)] LicenseTypeDefinition Definition,
    [property: Id(3)] IReadOnlyList<CatalogFileInfo> Files,
    [property: Id(4)] DateTimeOffset UpdatedAt,
    [property: Id(5)] string UpdatedBy);

/// <summary>Vocabularies of the catalogue.</summary>
public static class CatalogTerms
{
    public static readonly IReadOnlyList<string> HolderCategories = ["person", "organization", "any"];
    public static readonly IReadOnlyList<string> Sensitivities = ["normal", "personal", "commercial", "secret"];
    public static readonly IReadOnlyList<string> FieldTypes = ["string", "date", "number", "enum", "idNumber", "creditCode", "regionCode"];

    /// <summary>Attachable files: kind → accepted content types. Size limit <see cref="MaxFileBytes"/>.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> FileKinds = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["template"] = ["application/pdf", "image/png", "image/svg+xml"],
        ["sample"] = ["application/pdf", "image/png", "image/jpeg"],
        ["seal"] = ["image/png"],
    };

    public const int MaxFileBytes = 512 * 1024;
    public const int MaxFields = 100;
}
