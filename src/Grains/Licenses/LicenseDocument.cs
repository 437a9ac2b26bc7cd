using System.Globalization;
using System.Text.Json.Nodes;
using OrleansLicenses.Signing;

namespace OrleansLicenses.Licenses;

/// <summary>
/// The canonical form a licence version is signed in: a JSON object of the signed fields, canonicalised with
/// RFC 8785 (JCS) and encoded as UTF-8. Status is not signed (it changes without a new version); it is checked
/// online. Face values are strings (dates yyyy-MM-dd, numbers invariant), so no float formatting is involved.
/// </summary>
public static class LicenseDocument
{
    public const string Algorithm = "SM2-SM3";
    public const string UserId = "1234567812345678";
    public const string Format = "orleans-licenses/license-v1";

    public static string Canonicalize(LicenseState license, LicenseVersionState version)
    {
        var fields = new JsonObject();
        foreach (var (key, value) in version.Fields)
        {
            fields[key] = value;
        }

        var document = new JsonObject
        {
            ["format"] = Format,
            ["identifier"] = version.Identifier,
            ["licenseNumber"] = $"{license.TypeCode}.{license.IssuerCode}.{license.Serial}",
            ["typeCode"] = license.TypeCode,
            ["catalogVersion"] = version.CatalogVersion,
            ["issuerCode"] = license.IssuerCode,
            ["version"] = version.Version,
            ["holder"] = new JsonObject
            {
                ["idType"] = version.Holder.IdType,
                ["idNumber"] = version.Holder.IdNumber,
                ["name"] = version.Holder.Name,
            },
            ["fields"] = fields,
            ["validFrom"] = version.ValidFrom.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["validUntil"] = version.ValidUntil?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["signedAt"] = version.SignedAt.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        };
        // An imported licence's origin is signed with it; an online one's document keeps the shape it always had.
        if (license.Origin != Licenses.LicenseOrigins.Online)
        {
            document["origin"] = license.Origin;
            document["sourceId"] = license.SourceId;
        }

        if (license.OriginalIssueDate is { } originalIssueDate)
        {
            document["originalIssueDate"] = originalIssueDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        }

        return JsonCanonicalizer.CanonicalizeToString(document);
    }
}
