using System.Text.RegularExpressions;
using OrleansLicenses.Errors;
using OrleansLicenses.Identifiers;

namespace OrleansLicenses.Catalog;

/// <summary>
/// The rules of a licence-type definition, in one place: the licence-type grain refuses a definition with every
/// broken rule at once (400).
/// </summary>
public static partial class LicenseTypeRules
{
    public static List<FieldError> Validate(string typeCode, LicenseTypeDefinition d)
    {
        var errors = new List<FieldError>();
        if (!LicenseIdentifier.TryValidateTypeCode(typeCode, out var typeError))
        {
            errors.Add(new("typeCode", typeError));
        }

        if (string.IsNullOrWhiteSpace(d.Name) || d.Name.Length > 100)
        {
            errors.Add(new("name", "is required, at most 100 characters"));
        }

        if (!CreditCode.TryValidate(d.DefiningAuthorityCode, out var authorityError))
        {
            errors.Add(new("definingAuthorityCode", authorityError));
        }
        else if (typeCode.Length == 21 && !typeCode.StartsWith(d.DefiningAuthorityCode, StringComparison.Ordinal))
        {
            errors.Add(new("definingAuthorityCode", "must be the first 18 characters of the type code"));
        }

        if (!CatalogTerms.HolderCategories.Contains(d.HolderCategory))
        {
            errors.Add(new("holderCategory", $"must be one of {string.Join(", ", CatalogTerms.HolderCategories)}"));
        }

        if (!CatalogTerms.Sensitivities.Contains(d.Sensitivity))
        {
            errors.Add(new("sensitivity", $"must be one of {string.Join(", ", CatalogTerms.Sensitivities)}"));
        }

        if (d.Validity is null || d.Validity.LongTerm == d.Validity.Years.HasValue)
        {
            errors.Add(new("validity", "give either years (1-100) or longTerm: true"));
        }
        else if (d.Validity.Years is { } years && years is < 1 or > 100)
        {
            errors.Add(new("validity.years", "must be between 1 and 100"));
        }

        ValidateFields(d.Fields, errors);

        var keys = (d.Fields ?? []).Select(f => f.Key).ToHashSet(StringComparer.Ordinal);
        // A natural person's id number is never public (公示): a public field is shown unmasked to anyone.
        var idNumbers = (d.Fields ?? []).Where(f => f.Type == "idNumber").Select(f => f.Key).ToHashSet(StringComparer.Ordinal);
        var publicFields = d.PublicFields ?? [];
        if (!d.PublicDisclosure && publicFields.Count > 0)
        {
            errors.Add(new("publicFields", "must be empty unless publicDisclosure is true"));
        }

        for (var i = 0; i < publicFields.Count; i++)
        {
            if (!keys.Contains(publicFields[i]))
            {
                errors.Add(new($"publicFields[{i}]", $"'{publicFields[i]}' is not a field of this type"));
            }
            else if (idNumbers.Contains(publicFields[i]))
            {
                errors.Add(new($"publicFields[{i}]", $"'{publicFields[i]}' is an id number, which is never publicly disclosed"));
            }
        }

        if (d.PublicDisclosure && d.Sensitivity == "secret")
        {
            errors.Add(new("publicDisclosure", "a secret type cannot be publicly disclosed"));
        }

        return errors;
    }

    private static void ValidateFields(IReadOnlyList<FieldDefinition>? fields, List<FieldError> errors)
    {
        if (fields is null || fields.Count == 0)
        {
            errors.Add(new("fields", "at least one face element is required"));
            return;
        }

        if (fields.Count > CatalogTerms.MaxFields)
        {
            errors.Add(new("fields", $"at most {CatalogTerms.MaxFields} face elements"));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < fields.Count; i++)
        {
            var f = fields[i];
            var at = $"fields[{i}]";
            if (f is null)
            {
                errors.Add(new(at, "must not be null"));
                continue;
            }

            if (f.Key is null || !KeyPattern().IsMatch(f.Key))
            {
                errors.Add(new($"{at}.key", "must start with a letter and contain only letters, digits and '_' (at most 64)"));
            }
            else if (!seen.Add(f.Key))
            {
                errors.Add(new($"{at}.key", $"'{f.Key}' is defined twice"));
            }

            if (string.IsNullOrWhiteSpace(f.Name) || f.Name.Length > 100)
            {
                errors.Add(new($"{at}.name", "is required, at most 100 characters"));
            }

            if (!CatalogTerms.FieldTypes.Contains(f.Type))
            {
                errors.Add(new($"{at}.type", $"must be one of {string.Join(", ", CatalogTerms.FieldTypes)}"));
            }

            if (f.MaxLength is { } max && max is < 1 or > 10_000)
            {
                errors.Add(new($"{at}.maxLength", "must be between 1 and 10000"));
            }

            if (f.Type == "enum" && (f.Values is null || f.Values.Count == 0 || f.Values.Any(string.IsNullOrWhiteSpace)))
            {
                errors.Add(new($"{at}.values", "an enum field needs a non-empty list of non-empty values"));
            }
            else if (f.Type != "enum" && f.Values is { Count: > 0 })
            {
                errors.Add(new($"{at}.values", "only enum fields have values"));
            }

            if (f.Pattern is not null && !IsUsablePattern(f.Pattern))
            {
                errors.Add(new($"{at}.pattern", "is not a valid regular expression (at most 200 characters)"));
            }
        }
    }

    private static bool IsUsablePattern(string pattern)
    {
        if (pattern.Length > 200)
        {
            return false;
        }

        try
        {
            _ = new Regex(pattern, RegexOptions.None, TimeSpan.FromMilliseconds(50));
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_]{0,63}$")]
    private static partial Regex KeyPattern();
}
