using System.Text.RegularExpressions;
using OrleansLicenses.Identifiers;

namespace OrleansLicenses.Licenses;

/// <summary>Masks natural persons' id numbers where a response, a log or an operator's view must not carry them in full.</summary>
public static partial class PersonalData
{
    public static LicenseView Mask(LicenseView view) => view with
    {
        Holder = view.Holder.IdType == HolderIdTypes.Citizen ? view.Holder with { IdNumber = CitizenId.Mask(view.Holder.IdNumber) } : view.Holder,
        Fields = view.Fields.ToDictionary(f => f.Key, f => MaskText(f.Value), StringComparer.Ordinal),
    };

    /// <summary>A person's name with all but its first character masked (张三 → 张*, 欧阳娜娜 → 欧***).</summary>
    public static string MaskName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var characters = System.Globalization.StringInfo.ParseCombiningCharacters(name.Trim());
        return characters.Length <= 1 ? "*" : name.Trim()[..characters[1]] + new string('*', characters.Length - 1);
    }

    /// <summary>Masks anything shaped like an 18-character citizen id number inside a text.</summary>
    public static string MaskText(string text) => CitizenIdShape().Replace(text, m => CitizenId.Mask(m.Value));

    [GeneratedRegex(@"(?<![0-9])[0-9]{17}[0-9X](?![0-9A-Z])")]
    private static partial Regex CitizenIdShape();
}
