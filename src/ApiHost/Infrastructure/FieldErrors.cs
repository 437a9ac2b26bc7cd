using Microsoft.AspNetCore.Http.HttpResults;

namespace OrleansLicenses.ApiHost.Infrastructure;

/// <summary>Collects request-shape errors per field and turns them into one 400 validation problem.</summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, List<string>> errors = new(StringComparer.Ordinal);

    public bool Any => errors.Count > 0;

    public bool Has(string field) => errors.ContainsKey(field);

    public FieldErrors Add(string field, string message)
    {
        if (!errors.TryGetValue(field, out var list))
        {
            errors[field] = list = [];
        }

        list.Add(message);
        return this;
    }

    /// <summary>Adds an error when <paramref name="value"/> is missing or blank; returns whether it was present.</summary>
    public bool Required(string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Add(field, "is required");
            return false;
        }

        return true;
    }

    public void MaxLength(string field, string? value, int max)
    {
        if (value is not null && value.Length > max)
        {
            Add(field, $"must be at most {max} characters");
        }
    }

    /// <summary>Runs a standard validator (credit code, region, ...) and records its reason under the field.</summary>
    public void Check(string field, string? value, TryValidate validator)
    {
        if (Required(field, value) && !validator(value, out var error))
        {
            Add(field, error ?? "is invalid");
        }
    }

    public FieldErrors AddAll(IEnumerable<OrleansLicenses.Errors.FieldError> rules)
    {
        foreach (var e in rules)
        {
            Add(e.Field, e.Message);
        }

        return this;
    }

    public static FieldErrors From(IEnumerable<OrleansLicenses.Errors.FieldError> rules) => new FieldErrors().AddAll(rules);

    public delegate bool TryValidate(string? value, out string? error);

    /// <summary>Code of a request whose shape is wrong; rule errors from a grain carry the grain's own code.</summary>
    public const string Code = "request.invalid";

    public ValidationProblem ToProblem() => TypedResults.ValidationProblem(
        errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal),
        title: "The request is invalid.",
        extensions: new Dictionary<string, object?> { ["code"] = Code });
}
