using System.Text.Json;
using OrleansLicenses.ApiHost.Infrastructure;
using OrleansLicenses.Catalog;
using OrleansLicenses.Corrections;
using OrleansLicenses.Licenses;

namespace OrleansLicenses.ApiHost.Apis;

public sealed record FileCorrectionRequest(string? LicenseId, Dictionary<string, JsonElement>? Fields, string? Description, string? Cause,
    EvidenceRequest? Evidence = null);

public sealed record ResolveCorrectionRequest(string? Outcome, Dictionary<string, JsonElement>? Fields, string? Reason);

public sealed record CorrectionReasonRequest(string? Reason);

/// <summary>Shape checks of the correction endpoints; each bad field is named.</summary>
public static class CorrectionRequests
{
    public static bool TryParseId(string correctionId, out string id)
    {
        id = Guid.TryParse(correctionId, out var guid) ? guid.ToString() : "";
        return id.Length > 0;
    }

    public static void Reason(FieldErrors errors, string? reason)
    {
        errors.Required("reason", reason);
        errors.MaxLength("reason", reason, CorrectionNames.MaxReasonLength);
    }

    /// <summary>Face values against the licence type's schema: known elements, right types, canonical strings.</summary>
    public static Dictionary<string, string> Fields(LicenseTypeDefinition type, Dictionary<string, JsonElement>? fields, FieldErrors errors)
    {
        if (fields is not { Count: > 0 })
        {
            errors.Add("fields", "name at least one face element and the value it should have");
            return [];
        }

        var normalized = LicenseRequests.Fields(type, fields, errors);
        if (normalized.Count == 0 && !errors.Any)
        {
            errors.Add("fields", "name at least one face element with a value (null values do not count)");
        }

        foreach (var key in normalized.Where(f => f.Value.Length > CorrectionNames.MaxFieldValueLength).Select(f => f.Key))
        {
            errors.Add($"fields.{key}", $"must be at most {CorrectionNames.MaxFieldValueLength} characters");
        }

        return normalized;
    }

    public static void Cause(FieldErrors errors, string? cause)
    {
        if (errors.Required("cause", cause) && !CorrectionNames.Causes.Contains(cause))
        {
            errors.Add("cause", $"must be one of {string.Join(", ", CorrectionNames.Causes)}");
        }
    }

    public static void Outcome(FieldErrors errors, string? outcome)
    {
        if (errors.Required("outcome", outcome) && !CorrectionNames.Outcomes.Contains(outcome))
        {
            errors.Add("outcome", $"must be one of {string.Join(", ", CorrectionNames.Outcomes)}");
        }
    }
}
