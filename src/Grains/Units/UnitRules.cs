using System.Text.RegularExpressions;
using OrleansLicenses.Errors;
using OrleansLicenses.Identifiers;

namespace OrleansLicenses.Units;

/// <summary>The rules of a unit definition that need no other unit or type; the grain checks the rest.</summary>
public static partial class UnitRules
{
    public static List<FieldError> Validate(string unitCode, UnitDefinition d)
    {
        var errors = new List<FieldError>();
        if (!CreditCode.TryValidate(unitCode, out var codeError))
        {
            errors.Add(new("unitCode", codeError));
        }

        if (string.IsNullOrWhiteSpace(d.Name) || d.Name.Length > 100)
        {
            errors.Add(new("name", "is required, at most 100 characters"));
        }

        if (!UnitTerms.Levels.Contains(d.Level))
        {
            errors.Add(new("level", $"must be one of {string.Join(", ", UnitTerms.Levels)}"));
        }

        if (!Regions.TryValidate(d.RegionCode, out var regionError))
        {
            errors.Add(new("regionCode", regionError));
        }
        else if (UnitTerms.Levels.Contains(d.Level) && ExpectedRegionLevel(d.Level) != Regions.Level(d.RegionCode))
        {
            errors.Add(new("regionCode", $"a {d.Level} unit needs a {ExpectedRegionLevel(d.Level).ToString().ToLowerInvariant()}-level region code"));
        }

        if (!UnitTerms.Statuses.Contains(d.Status))
        {
            errors.Add(new("status", $"must be one of {string.Join(", ", UnitTerms.Statuses)}"));
        }

        if (d.ParentUnitCode is not null)
        {
            if (!CreditCode.TryValidate(d.ParentUnitCode, out var parentError))
            {
                errors.Add(new("parentUnitCode", parentError));
            }
            else if (d.ParentUnitCode == unitCode)
            {
                errors.Add(new("parentUnitCode", "a unit cannot be its own parent"));
            }
        }
        else if (d.Level != "province")
        {
            errors.Add(new("parentUnitCode", "is required for a unit below province level"));
        }

        var issuable = d.IssuableTypes ?? [];
        for (var i = 0; i < issuable.Count; i++)
        {
            if (!LicenseIdentifier.TryValidateTypeCode(issuable[i], out var typeError))
            {
                errors.Add(new($"issuableTypes[{i}]", typeError));
            }
        }

        var scope = d.Scope ?? [];
        var matters = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < scope.Count; i++)
        {
            var m = scope[i];
            if (m?.MatterCode is null || !MatterCodePattern().IsMatch(m.MatterCode))
            {
                errors.Add(new($"scope[{i}].matterCode", "must be 1-64 characters of A-Z, 0-9, '-', '_' or '.'"));
            }
            else if (!matters.Add(m.MatterCode))
            {
                errors.Add(new($"scope[{i}].matterCode", $"'{m.MatterCode}' appears twice"));
            }

            if (string.IsNullOrWhiteSpace(m?.MatterName) || m.MatterName.Length > 200)
            {
                errors.Add(new($"scope[{i}].matterName", "is required, at most 200 characters"));
            }

            var types = m?.LicenseTypes ?? [];
            if (types.Count == 0)
            {
                errors.Add(new($"scope[{i}].licenseTypes", "at least one licence type"));
            }

            for (var j = 0; j < types.Count; j++)
            {
                if (!LicenseIdentifier.TryValidateTypeCode(types[j], out var typeError))
                {
                    errors.Add(new($"scope[{i}].licenseTypes[{j}]", typeError));
                }
            }
        }

        return errors;
    }

    /// <summary>GB/T 2260 has no township codes: a township unit carries the code of its county.</summary>
    public static RegionLevel ExpectedRegionLevel(string level) => level switch
    {
        "province" => RegionLevel.Province,
        "city" => RegionLevel.Prefecture,
        _ => RegionLevel.County,
    };

    /// <summary>Rank of a unit level, province highest; a parent must rank above its child.</summary>
    public static int Rank(string level) => level switch
    {
        "province" => 4,
        "city" => 3,
        "county" => 2,
        _ => 1,
    };

    [GeneratedRegex("^[A-Z0-9][A-Z0-9._-]{0,63}$")]
    private static partial Regex MatterCodePattern();
}
