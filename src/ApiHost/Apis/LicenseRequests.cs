using OrleansLicenses.Hosting;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using OrleansLicenses.ApiHost.Infrastructure;
using OrleansLicenses.Catalog;
using OrleansLicenses.Identifiers;
using OrleansLicenses.Licenses;

namespace OrleansLicenses.ApiHost.Apis;

// Request bodies of the licence endpoints. Members are nullable and dates are strings, so that a missing or bad one
// is reported by field name in the edge's 400 rather than by the JSON reader.

/// <summary>The holder (持证主体): <c>idType</c> 111 with a citizen id number, or 001 with a unified social credit code.</summary>
public sealed record HolderRequest(string? IdType, string? IdNumber, string? Name);

public sealed record IssueLicenseRequest(
    string? TypeCode, HolderRequest? Holder, Dictionary<string, JsonElement>? Fields, string? ValidFrom, string? ValidUntil, string? Serial);

public sealed record ChangeLicenseRequest(Dictionary<string, JsonElement>? Fields, string? HolderName, string? Reason);

public sealed record LicenseEventRequest(string? Type, string? Reason, string? Until, string? NewValidUntil, string? Result, string? Date);

/// <summary>Shape checks and conversions shared by the licence endpoints.</summary>
public static class LicenseRequests
{
    public static DateOnly? Date(FieldErrors errors, string field, string? value, bool required)
    {
        if (value is null)
        {
            if (required)
            {
                errors.Add(field, "is required");
            }

            return null;
        }

        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }

        errors.Add(field, "must be a date yyyy-MM-dd");
        return null;
    }

    /// <summary>A full identifier (any version) or a licence number; null with an error otherwise.</summary>
    public static (LicenseNumber? Number, string? Version) ParseId(string id, FieldErrors errors, string field = "id")
    {
        if (id.StartsWith(LicenseIdentifier.Root + ".", StringComparison.Ordinal))
        {
            if (LicenseIdentifier.TryParse(id, out var identifier, out var error))
            {
                return (identifier.LicenseNumber, identifier.Version);
            }

            errors.Add(field, error);
            return (null, null);
        }

        if (LicenseNumber.TryParse(id, out var number, out var numberError))
        {
            return (number, null);
        }

        errors.Add(field, numberError);
        return (null, null);
    }

    /// <summary>
    /// <see cref="ParseId"/>, except that an identifier refused for its check character alone is accepted when it is a
    /// legacy licence's own identifier that this library holds (<see cref="LegacyIdentifiers"/>).
    /// </summary>
    public static async Task<(LicenseNumber? Number, string? Version)> ResolveIdAsync(string id, FieldErrors errors, LegacyIdentifiers legacy, string field = "id")
    {
        var scratch = new FieldErrors();
        var parsed = ParseId(id, scratch, field);
        if (!scratch.Any)
        {
            return parsed;
        }

        if (LicenseIdentifier.TryParseLenient(id, out var identifier, out _) && identifier.CheckMismatch && await legacy.HoldsAsync(id))
        {
            return (identifier.LicenseNumber, identifier.Version);
        }

        ParseId(id, errors, field);
        return (null, null);
    }

    /// <summary>
    /// Resolves an identifier or licence number to its grain and reads from it: 400 for a malformed id, 404 when the
    /// read answers null (unknown, or not the caller's to see — the two are indistinguishable).
    /// </summary>
    public static async Task<Results<Ok<T>, ProblemHttpResult, ValidationProblem>> Read<T>(
        string id, IClusterClient cluster, LegacyIdentifiers legacy, Func<ILicenseGrain, string?, Task<T?>> read, string notFound = "No such licence.",
        FieldErrors? errors = null)
        where T : class
    {
        errors ??= new FieldErrors();
        var (number, version) = await ResolveIdAsync(id, errors, legacy);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var value = await read(cluster.Get<ILicenseGrain>(number!.ToString()), version);
        return value is null ? Problems.NotFound(notFound) : TypedResults.Ok(value);
    }

    /// <summary>
    /// Converts JSON face values to the strings the grain checks: a JSON number for an element the catalogue types
    /// <c>number</c>, a JSON string for any other; a member the catalogue does not have is named; null counts as
    /// absent. Only the JSON shape is checked here: required elements, lengths, patterns and codes are the grain's.
    /// </summary>
    public static Dictionary<string, string> Fields(LicenseTypeDefinition? type, Dictionary<string, JsonElement>? fields, FieldErrors errors) =>
        Fields(type, fields, errors, removed: null);

    /// <summary>
    /// The elements of a merge patch (RFC 7396) of the face, converted as <see cref="Fields(LicenseTypeDefinition?, Dictionary{string, JsonElement}?, FieldErrors)"/>
    /// does, with the members set to null listed in <paramref name="removed"/>.
    /// </summary>
    public static Dictionary<string, string> Fields(LicenseTypeDefinition? type, Dictionary<string, JsonElement>? fields, FieldErrors errors, List<string>? removed)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var schema = type?.Fields.ToDictionary(f => f.Key, f => f.Type, StringComparer.Ordinal) ?? [];
        foreach (var (key, value) in fields ?? [])
        {
            var at = $"fields.{key}";
            var isNumber = schema.GetValueOrDefault(key) == "number";
            switch (value.ValueKind)
            {
                case JsonValueKind.Null when removed is not null:
                    // A patch removes the element; one the schema does not know may be a leftover of an older catalogue version.
                    removed.Add(key);
                    continue;
                case JsonValueKind.Null or JsonValueKind.Undefined:
                    continue;
                case var _ when type is not null && !schema.ContainsKey(key):
                    // A member the schema does not have has no kind to convert to (the grain refuses it as well,
                    // for callers other than this edge).
                    errors.Add(at, "is not a face element of this licence type");
                    break;
                case JsonValueKind.Number when isNumber:
                    if (value.TryGetDecimal(out var number))
                    {
                        result[key] = number.ToString(CultureInfo.InvariantCulture);
                    }
                    else
                    {
                        errors.Add(at, "is out of range for a number");
                    }

                    break;
                case JsonValueKind.String when !isNumber:
                    result[key] = value.GetString()!;
                    break;
                default:
                    errors.Add(at, isNumber ? "must be a JSON number" : "must be a JSON string");
                    break;
            }
        }

        return result;
    }
}
