using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace OrleansLicenses.Identifiers;

/// <summary>Level of a GB/T 2260 administrative division.</summary>
public enum RegionLevel
{
    /// <summary>Province-level 省级: code <c>xx0000</c>.</summary>
    Province = 1,

    /// <summary>Prefecture-level 地级: code <c>xxxx00</c>.</summary>
    Prefecture = 2,

    /// <summary>County-level 县级: any other code.</summary>
    County = 3,
}

/// <summary>A GB/T 2260 administrative division from the reference data.</summary>
public sealed record Region(string Code, string Name, string? ParentCode, RegionLevel Level);

/// <summary>
/// A versioned table of GB/T 2260 region codes, read from a tab-separated file:
/// lines starting with '#' are comments, one of them <c># data-version: …</c>; then the header
/// <c>code</c>, <c>name</c>, <c>parentCode</c> separated by tabs; then one division per line in the same
/// columns (empty parentCode for a province).
/// </summary>
public sealed class RegionTable
{
    private const string VersionMarker = "# data-version:";
    private const string Header = "code\tname\tparentCode";

    private readonly Dictionary<string, Region> byCode;

    private RegionTable(string dataVersion, List<Region> regions)
    {
        DataVersion = dataVersion;
        All = regions.AsReadOnly();
        byCode = regions.ToDictionary(r => r.Code, StringComparer.Ordinal);
    }

    /// <summary>The edition of the data, from the file's <c># data-version:</c> line (e.g. <c>MCA-2023</c>).</summary>
    public string DataVersion { get; }

    /// <summary>Every division, in file order.</summary>
    public IReadOnlyList<Region> All { get; }

    /// <summary>
    /// Reads a table and checks it: 6-digit codes, no duplicates, every parent present and of a higher level
    /// than its child.
    /// </summary>
    /// <exception cref="FormatException">The file breaks a rule; the message gives the line number.</exception>
    public static RegionTable Parse(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        string? dataVersion = null;
        var headerSeen = false;
        var regions = new List<Region>();
        var lineNumbers = new Dictionary<string, int>(StringComparer.Ordinal);
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            if (line.StartsWith('#'))
            {
                if (line.StartsWith(VersionMarker, StringComparison.Ordinal))
                {
                    if (dataVersion is not null)
                    {
                        throw new FormatException($"line {lineNumber}: a second data-version line");
                    }

                    dataVersion = line[VersionMarker.Length..].Trim();
                }

                continue;
            }

            if (!headerSeen)
            {
                if (line != Header)
                {
                    throw new FormatException($"line {lineNumber}: expected the header '{Header.Replace('\t', ' ')}' (tab-separated)");
                }

                headerSeen = true;
                continue;
            }

            var fields = line.Split('\t');
            if (fields.Length != 3)
            {
                throw new FormatException($"line {lineNumber}: expected 3 tab-separated fields, got {fields.Length}");
            }

            var (code, name, parent) = (fields[0], fields[1], fields[2]);
            if (!IsSixDigits(code))
            {
                throw new FormatException($"line {lineNumber}: code '{code}' must be 6 digits");
            }

            if (name.Length == 0)
            {
                throw new FormatException($"line {lineNumber}: region {code} has no name");
            }

            if (parent.Length != 0 && !IsSixDigits(parent))
            {
                throw new FormatException($"line {lineNumber}: parent code '{parent}' must be 6 digits or empty");
            }

            if (!lineNumbers.TryAdd(code, lineNumber))
            {
                throw new FormatException($"line {lineNumber}: code {code} already defined on line {lineNumbers[code]}");
            }

            regions.Add(new Region(code, name, parent.Length == 0 ? null : parent, LevelOf(code)));
        }

        if (dataVersion is null || dataVersion.Length == 0)
        {
            throw new FormatException("the region file has no '# data-version:' line");
        }

        if (!headerSeen)
        {
            throw new FormatException("the region file has no header line");
        }

        foreach (var region in regions)
        {
            if (region.ParentCode is null)
            {
                continue;
            }

            if (!lineNumbers.ContainsKey(region.ParentCode))
            {
                throw new FormatException($"line {lineNumbers[region.Code]}: parent {region.ParentCode} of {region.Code} is not in the file");
            }

            if (LevelOf(region.ParentCode) >= region.Level)
            {
                throw new FormatException($"line {lineNumbers[region.Code]}: parent {region.ParentCode} of {region.Code} is not of a higher level");
            }
        }

        return new RegionTable(dataVersion, regions);
    }

    /// <summary>Looks up a division by code.</summary>
    public bool TryGet([NotNullWhen(true)] string? code, [NotNullWhen(true)] out Region? region)
    {
        if (code is null)
        {
            region = null;
            return false;
        }

        return byCode.TryGetValue(code, out region);
    }

    /// <summary>Validates that a code is a known division; on failure <paramref name="error"/> says why.</summary>
    public bool TryValidate([NotNullWhen(true)] string? code, [NotNullWhen(false)] out string? error)
    {
        if (string.IsNullOrEmpty(code))
        {
            error = "region code is required";
            return false;
        }

        if (!IsSixDigits(code))
        {
            error = $"region code '{code}' must be 6 digits";
            return false;
        }

        if (!byCode.ContainsKey(code))
        {
            error = $"region code {code} is not in the GB/T 2260 reference data (edition {DataVersion})";
            return false;
        }

        error = null;
        return true;
    }

    /// <summary>
    /// True when <paramref name="code"/> is <paramref name="ancestorCode"/> itself or lies below it, following the
    /// parent links of the data; false when either code is unknown.
    /// </summary>
    public bool IsWithin(string? code, string? ancestorCode)
    {
        if (ancestorCode is null || !byCode.ContainsKey(ancestorCode))
        {
            return false;
        }

        // Levels bound the walk: the parser guarantees each step goes up a level.
        for (var current = code; current is not null && byCode.TryGetValue(current, out var region); current = region.ParentCode)
        {
            if (string.Equals(current, ancestorCode, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Level of a 6-digit code from its shape alone (<c>xx0000</c> province, <c>xxxx00</c> prefecture, otherwise
    /// county); it does not need the code to be in any table.
    /// </summary>
    /// <exception cref="ArgumentException">Not 6 digits, or <c>00xxxx</c>.</exception>
    public static RegionLevel LevelOf(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        if (!IsSixDigits(code) || code.StartsWith("00", StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{code}' is not a 6-digit region code.", nameof(code));
        }

        return code.EndsWith("0000", StringComparison.Ordinal) ? RegionLevel.Province
            : code.EndsWith("00", StringComparison.Ordinal) ? RegionLevel.Prefecture
            : RegionLevel.County;
    }

    private static bool IsSixDigits(string value) =>
        value.Length == 6 && !value.AsSpan().ContainsAnyExceptInRange('0', '9');
}

/// <summary>
/// The platform's GB/T 2260 reference data: Heilongjiang (230000), its 13 prefecture-level and 121 county-level
/// divisions, shipped as the embedded resource <c>Identifiers/Data/gb2260-230000.tsv</c> and loaded on first use.
/// </summary>
public static class Regions
{
    /// <summary>File name of the embedded data.</summary>
    public const string ResourceFileName = "gb2260-230000.tsv";

    /// <summary>The manifest resource name the project gives the data file.</summary>
    public const string ResourceName = "OrleansLicenses.Identifiers.Data." + ResourceFileName;

    /// <summary>Code of Heilongjiang Province.</summary>
    public const string HeilongjiangCode = "230000";

    private static readonly Lazy<RegionTable> LazyTable = new(Load);

    /// <summary>The loaded table.</summary>
    public static RegionTable Table => LazyTable.Value;

    /// <summary>The edition of the shipped data (e.g. <c>MCA-2023</c>).</summary>
    public static string DataVersion => Table.DataVersion;

    /// <summary>Every division in the shipped data.</summary>
    public static IReadOnlyList<Region> All => Table.All;

    /// <inheritdoc cref="RegionTable.TryGet"/>
    public static bool TryGet([NotNullWhen(true)] string? code, [NotNullWhen(true)] out Region? region) => Table.TryGet(code, out region);

    /// <inheritdoc cref="RegionTable.TryValidate"/>
    public static bool TryValidate([NotNullWhen(true)] string? code, [NotNullWhen(false)] out string? error) => Table.TryValidate(code, out error);

    /// <inheritdoc cref="RegionTable.IsWithin"/>
    public static bool IsWithin(string? code, string? ancestorCode) => Table.IsWithin(code, ancestorCode);

    /// <inheritdoc cref="RegionTable.LevelOf"/>
    public static RegionLevel Level(string code) => RegionTable.LevelOf(code);

    private static RegionTable Load()
    {
        var assembly = typeof(Regions).Assembly;
        var name = assembly.GetManifestResourceInfo(ResourceName) is not null
            ? ResourceName
            : assembly.GetManifestResourceNames().FirstOrDefault(n => n.EndsWith("." + ResourceFileName, StringComparison.Ordinal))
              ?? throw new InvalidOperationException(
                  $"Embedded resource {ResourceName} is missing: the project needs <EmbeddedResource Include=\"Identifiers/Data/*.tsv\" LogicalName=\"OrleansLicenses.Identifiers.Data.%(Filename)%(Extension)\" />.");
        using var stream = assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Embedded resource {name} could not be opened.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return RegionTable.Parse(reader);
    }
}
