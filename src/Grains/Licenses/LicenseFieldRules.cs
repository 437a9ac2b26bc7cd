using System.Globalization;
using System.Text.RegularExpressions;
using OrleansLicenses.Catalog;
using OrleansLicenses.Errors;
using OrleansLicenses.Identifiers;

namespace OrleansLicenses.Licenses;

/// <summary>
/// Checks a holder and face data against a licence type's schema, reporting every bad field. The licence grain
/// runs these on every issuance and change; the API host only converts JSON values to strings (their shape).
/// </summary>
public static class LicenseFieldRules
{
    public static List<FieldError> ValidateHolder(LicenseTypeDefinition type, HolderRef? holder, DateOnly today)
    {
        var errors = new List<FieldError>();
        if (holder is null)
        {
            errors.Add(new("holder", "is required"));
            return errors;
        }

        switch (holder.IdType)
        {
            case HolderIdTypes.Citizen:
                if (type.HolderCategory == "organization")
                {
                    errors.Add(new("holder.idType", "this licence type is issued to organizations (001), not persons"));
                }
                else if (!CitizenId.TryValidate(holder.IdNumber, today, out var error))
                {
                    errors.Add(new("holder.idNumber", error));
                }

                break;
            case HolderIdTypes.Organization:
                if (type.HolderCategory == "person")
                {
                    errors.Add(new("holder.idType", "this licence type is issued to persons (111), not organizations"));
                }
                else if (!CreditCode.TryValidate(holder.IdNumber, out var error))
                {
                    errors.Add(new("holder.idNumber", error));
                }

                break;
            default:
                errors.Add(new("holder.idType", "must be 111 (citizen id number) or 001 (unified social credit code)"));
                break;
        }

        if (string.IsNullOrWhiteSpace(holder.Name) || holder.Name.Length > 100)
        {
            errors.Add(new("holder.name", "is required, at most 100 characters"));
        }

        return errors;
    }

    /// <summary>
    /// The face a change asks for: a JSON merge patch (RFC 7396) applied to the current elements. Removing an element
    /// the licence does not have changes nothing, as RFC 7396 says; the result is judged by <see cref="Validate"/>.
    /// </summary>
    public static Dictionary<string, string> Merge(IReadOnlyDictionary<string, string> current, IReadOnlyDictionary<string, string> set,
        IEnumerable<string>? remove)
    {
        var merged = new Dictionary<string, string>(current, StringComparer.Ordinal);
        foreach (var key in remove ?? [])
        {
            merged.Remove(key);
        }

        foreach (var (key, value) in set)
        {
            merged[key] = value;
        }

        return merged;
    }

    /// <summary>Checks canonical face values: unknown, missing, type, length, pattern, enum, standard codes.</summary>
    public static List<FieldError> Validate(LicenseTypeDefinition type, IReadOnlyDictionary<string, string> fields, DateOnly today)
    {
        var errors = new List<FieldError>();
        var schema = type.Fields.ToDictionary(f => f.Key, StringComparer.Ordinal);
        foreach (var key in fields.Keys.Where(k => !schema.ContainsKey(k)))
        {
            errors.Add(new($"fields.{key}", "is not a face element of this licence type"));
        }

        foreach (var field in type.Fields)
        {
            var at = $"fields.{field.Key}";
            if (!fields.TryGetValue(field.Key, out var value) || value.Length == 0)
            {
                if (field.Required)
                {
                    errors.Add(new(at, $"is required ({field.Name})"));
                }

                continue;
            }

            if (value.Length > (field.MaxLength ?? 2000))
            {
                errors.Add(new(at, $"must be at most {field.MaxLength ?? 2000} characters"));
                continue;
            }

            if (value.Any(char.IsControl))
            {
                errors.Add(new(at, "must not contain control characters"));
                continue;
            }

            if (CheckType(field, value, today) is { } typeError)
            {
                errors.Add(new(at, typeError));
                continue;
            }

            if (field.Pattern is not null && MatchesPattern(value, field.Pattern) is { } patternError)
            {
                errors.Add(new(at, patternError));
            }
        }

        return errors;
    }

    private static string? MatchesPattern(string value, string pattern)
    {
        try
        {
            return Regex.IsMatch(value, pattern, RegexOptions.None, TimeSpan.FromMilliseconds(50)) ? null : $"does not match the pattern {pattern}";
        }
        catch (RegexMatchTimeoutException)
        {
            // A catalogue pattern that backtracks catastrophically on this value: refuse the value, never fail the request.
            return "could not be checked against the pattern in time";
        }
    }

    private static string? CheckType(FieldDefinition field, string value, DateOnly today) => field.Type switch
    {
        "date" => DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
            ? null : "must be a date yyyy-MM-dd",
        "number" => decimal.TryParse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out _)
            ? null : "must be a number",
        "enum" => field.Values!.Contains(value) ? null : $"must be one of {string.Join(", ", field.Values!)}",
        "idNumber" => CitizenId.TryValidate(value, today, out var idError) ? null : idError,
        "creditCode" => CreditCode.TryValidate(value, out var codeError) ? null : codeError,
        "regionCode" => Regions.TryValidate(value, out var regionError) ? null : regionError,
        _ => null,
    };
}
