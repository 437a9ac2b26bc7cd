using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using OrleansLicenses.Errors;
using OrleansLicenses.Identifiers;
using OrleansLicenses.Licenses;

namespace OrleansLicenses.Imports;

/// <summary>One record of an upload turned into an issuance, or the reasons (by column name) why it cannot be one.</summary>
/// <param name="Number">The licence number the record issues (the licence grain's key).</param>
/// <param name="Command">The issuance.</param>
/// <param name="Errors">Shape errors by column; when any, <paramref name="Number"/> and <paramref name="Command"/> are null.</param>
public sealed record ImportRecord(LicenseNumber? Number, IssueLicense? Command, IReadOnlyList<FieldError> Errors);

/// <summary>
/// Reads an import record's columns the way the issuance endpoint reads a request body: shape only (required columns,
/// dates, the legacy identifier's form). Whether the holder, the face and the validity are acceptable is the licence
/// grain's to say, through the one issuance path.
/// </summary>
public static class ImportRecords
{
    private static readonly HashSet<string> Known = [.. ImportColumns.Common, .. ImportColumns.LegacyOnly];

    public static ImportRecord Read(string kind, string typeCode, string issuerCode, IReadOnlyDictionary<string, string> columns)
    {
        var errors = new List<FieldError>();
        var sourceId = Required(columns, ImportColumns.SourceId, errors);
        if (sourceId is { Length: > ImportColumns.MaxSourceIdLength })
        {
            errors.Add(new(ImportColumns.SourceId, $"must be at most {ImportColumns.MaxSourceIdLength} characters"));
        }

        var holder = new HolderRef(Required(columns, ImportColumns.HolderIdType, errors) ?? "", Required(columns, ImportColumns.HolderIdNumber, errors) ?? "",
            Required(columns, ImportColumns.HolderName, errors) ?? "");
        var validFrom = Date(columns, ImportColumns.ValidFrom, errors, required: true);
        var validUntil = Date(columns, ImportColumns.ValidUntil, errors, required: false);
        LicenseNumber? number = null;
        ImportedRecord? imported = null;
        if (kind == ImportColumns.KindLegacy)
        {
            var text = Required(columns, ImportColumns.LegacyIdentifier, errors);
            var originalIssueDate = Date(columns, ImportColumns.OriginalIssueDate, errors, required: true);
            if (text is not null)
            {
                if (!LicenseIdentifier.TryParseLenient(text, out var legacy, out var error))
                {
                    errors.Add(new(ImportColumns.LegacyIdentifier, error));
                }
                else if (legacy.TypeCode != typeCode)
                {
                    errors.Add(new(ImportColumns.LegacyIdentifier, $"names licence type {legacy.TypeCode}, the import is of type {typeCode}"));
                }
                else if (legacy.IssuerCode != issuerCode)
                {
                    errors.Add(new(ImportColumns.LegacyIdentifier, "names another issuing unit; a unit imports its own licences"));
                }
                else
                {
                    number = legacy.LicenseNumber;
                }
            }

            imported = new ImportedRecord(LicenseOrigins.Legacy, sourceId ?? "", text, originalIssueDate);
        }
        else
        {
            imported = new ImportedRecord(LicenseOrigins.Offline, sourceId ?? "", null, null);
            number = sourceId is null ? null : LicenseNumber.Create(typeCode, issuerCode, OfflineSerial(issuerCode, sourceId));
        }

        if (errors.Count > 0 || number is null)
        {
            return new ImportRecord(null, null, errors);
        }

        // Every other non-empty column is a face element (an empty cell is an absent element, as a JSON null is).
        var fields = columns.Where(c => !Known.Contains(c.Key) && c.Value.Length > 0).ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal);
        return new ImportRecord(number, new IssueLicense(typeCode, holder, fields, validFrom!.Value, validUntil, imported), []);
    }

    /// <summary>
    /// The serial of an offline record: derived from the issuing unit and the source record id only, so a re-upload of
    /// the record names the same licence (which answers the first issuance) instead of issuing a second one.
    /// </summary>
    public static string OfflineSerial(string issuerCode, string sourceId)
    {
        const string alphabet = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"offline/{issuerCode}/{sourceId}"));
        var chars = new char[18];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = alphabet[hash[i] % alphabet.Length];
        }

        return "OF" + new string(chars);
    }

    /// <summary>The column a licence rule's field name stands for in an import record (<c>holder.idNumber</c> → <c>holderIdNumber</c>).</summary>
    public static string Column(string field) => field switch
    {
        "holder" => ImportColumns.HolderIdNumber,
        "holder.idType" => ImportColumns.HolderIdType,
        "holder.idNumber" => ImportColumns.HolderIdNumber,
        "holder.name" => ImportColumns.HolderName,
        "serial" => ImportColumns.SourceId,
        _ when field.StartsWith("fields.", StringComparison.Ordinal) => field["fields.".Length..],
        _ => field,
    };

    private static string? Required(IReadOnlyDictionary<string, string> columns, string name, List<FieldError> errors)
    {
        if (columns.TryGetValue(name, out var value) && value.Length > 0)
        {
            return value;
        }

        errors.Add(new(name, "is required"));
        return null;
    }

    private static DateOnly? Date(IReadOnlyDictionary<string, string> columns, string name, List<FieldError> errors, bool required)
    {
        if (!columns.TryGetValue(name, out var value) || value.Length == 0)
        {
            if (required)
            {
                errors.Add(new(name, "is required"));
            }

            return null;
        }

        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }

        errors.Add(new(name, "must be a date yyyy-MM-dd"));
        return null;
    }
}
