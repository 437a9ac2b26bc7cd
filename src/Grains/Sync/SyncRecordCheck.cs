using System.Globalization;
using System.Text;
using System.Text.Json;
using OrleansLicenses.Identifiers;
using OrleansLicenses.Licenses;
using OrleansLicenses.Signing;

namespace OrleansLicenses.Sync;

/// <summary>A pushed record that passed every check, with its signed document read into a licence version.</summary>
public sealed record CheckedRecord(SyncRecord Record, LicenseIdentifier Identifier, LicenseStatus Status, LicenseVersionState Version);

/// <summary>Why a record was refused (<see cref="SyncReasons"/>).</summary>
public sealed record RecordRefusal(string Reason, string Detail);

/// <summary>
/// The checks of one pushed record, in order: the identifier and its check character, the codes (status, region,
/// holder), the issuer's region inside the sync client's region, the document's canonical form and its agreement with
/// the record, the unit certificate's chain to a trusted lower-library root at the signing time, and the SM2 signature.
/// </summary>
public static class SyncRecordCheck
{
    public static (CheckedRecord? Checked, RecordRefusal? Refusal) Check(SyncRecord record, string clientRegion, TrustedRoots roots)
    {
        if (!LicenseIdentifier.TryParse(record.Identifier, out var identifier, out var identifierError))
        {
            return Refuse(SyncReasons.IdentifierInvalid, identifierError);
        }

        if (!LicenseStatusCodes.TryFromWireName(record.Status, out var status))
        {
            return Refuse(SyncReasons.CodeInvalid, $"status '{record.Status}' is not a licence status");
        }

        if (!Regions.TryValidate(record.IssuerRegion, out var regionError))
        {
            return Refuse(SyncReasons.CodeInvalid, $"issuerRegion: {regionError}");
        }

        if (record.LicenseSeq < 1 || string.IsNullOrWhiteSpace(record.Operation))
        {
            return Refuse(SyncReasons.Malformed, "licenseSeq must be at least 1 and operation is required");
        }

        if (!Regions.IsWithin(record.IssuerRegion, clientRegion))
        {
            return Refuse(SyncReasons.RegionOutside, $"issuer region {record.IssuerRegion} is not inside the sync client's region {clientRegion}");
        }

        byte[] canonical = Encoding.UTF8.GetBytes(record.Document), signature, certificate;
        try
        {
            signature = Convert.FromBase64String(record.Signature);
            certificate = Convert.FromBase64String(record.Certificate);
        }
        catch (FormatException)
        {
            return Refuse(SyncReasons.Malformed, "signature and certificate must be base64");
        }

        LicenseVersionState version;
        string origin;
        try
        {
            if (!JsonCanonicalizer.Canonicalize(canonical).AsSpan().SequenceEqual(canonical))
            {
                return Refuse(SyncReasons.Malformed, "the document is not in canonical form (RFC 8785)");
            }

            (version, origin) = ReadDocument(record.Document);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or KeyNotFoundException)
        {
            return Refuse(SyncReasons.Malformed, "the document is not a licence document");
        }

        if (Mismatch(record, identifier, version, origin) is { } mismatch)
        {
            return Refuse(SyncReasons.DocumentMismatch, mismatch);
        }

        if (HolderError(version.Holder, DateOnly.FromDateTime(version.SignedAt.UtcDateTime.AddDays(1))) is { } holderError)
        {
            return Refuse(SyncReasons.CodeInvalid, holderError);
        }

        if (roots.FindRoot(certificate, version.SignedAt) is null)
        {
            return Refuse(SyncReasons.CertificateUntrusted, "the unit certificate does not chain to a root this library trusts at the signing time");
        }

        UnitCertificateInfo signer;
        try
        {
            signer = UnitCertificateInfo.Parse(certificate);
        }
        catch (ArgumentException)
        {
            return Refuse(SyncReasons.SignatureInvalid, "the certificate is not a unit certificate");
        }

        if (signer.UnitCreditCode != identifier.IssuerCode)
        {
            return Refuse(SyncReasons.SignatureInvalid, "the certificate belongs to another unit than the issuer");
        }

        if (!Sm2Signer.Verify(signer.PublicKey, canonical, signature))
        {
            return Refuse(SyncReasons.SignatureInvalid, "the SM2 signature does not verify over the document");
        }

        version.Signature = signature;
        version.Certificate = certificate;
        return (new CheckedRecord(record, identifier, status, version), null);
    }

    /// <summary>
    /// The signed document read back into the version it was made from (the inverse of <see cref="LicenseDocument.Canonicalize"/>),
    /// with the <c>type.issuer.licenceNumber</c> it names.
    /// </summary>
    public static (LicenseVersionState Version, string Origin) ReadDocument(string canonical)
    {
        using var json = JsonDocument.Parse(canonical);
        var root = json.RootElement;
        if (root.GetProperty("format").GetString() != LicenseDocument.Format)
        {
            throw new FormatException("unknown document format");
        }

        var holder = root.GetProperty("holder");
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var field in root.GetProperty("fields").EnumerateObject())
        {
            fields[field.Name] = field.Value.GetString() ?? throw new FormatException("a face value is not a string");
        }

        var until = root.GetProperty("validUntil");
        var version = new LicenseVersionState
        {
            Identifier = root.GetProperty("identifier").GetString()!,
            Version = root.GetProperty("version").GetString()!,
            Holder = new LicenseHolderState(holder.GetProperty("idType").GetString()!, holder.GetProperty("idNumber").GetString()!, holder.GetProperty("name").GetString()!),
            Fields = fields,
            ValidFrom = DateOnly.ParseExact(root.GetProperty("validFrom").GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture),
            ValidUntil = until.ValueKind == JsonValueKind.Null ? null : DateOnly.ParseExact(until.GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture),
            CatalogVersion = root.GetProperty("catalogVersion").GetInt32(),
            SignedAt = DateTimeOffset.Parse(root.GetProperty("signedAt").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
            Canonical = canonical,
        };
        return (version, $"{root.GetProperty("typeCode").GetString()}.{root.GetProperty("issuerCode").GetString()}.{root.GetProperty("licenseNumber").GetString()}");
    }

    private static string? Mismatch(SyncRecord record, LicenseIdentifier identifier, LicenseVersionState version, string origin)
    {
        var expectedOrigin = $"{identifier.TypeCode}.{identifier.IssuerCode}.{identifier.Number}";
        if (version.Identifier != record.Identifier || version.Version != identifier.Version || origin != expectedOrigin)
        {
            return "the document names another licence or version than the record";
        }

        if (version.ValidFrom != record.Lifecycle.ValidFrom || version.ValidUntil != record.Lifecycle.ValidUntil)
        {
            return "the record's validity differs from the signed document's";
        }

        return null;
    }

    private static string? HolderError(LicenseHolderState holder, DateOnly signedOn) => holder.IdType switch
    {
        HolderIdTypes.Organization => CreditCode.TryValidate(holder.IdNumber, out var e) ? null : $"holder.idNumber: {e}",
        HolderIdTypes.Citizen => CitizenId.TryValidate(holder.IdNumber, signedOn, out var e) ? null : $"holder.idNumber: {e}",
        _ => $"holder.idType '{holder.IdType}' is not 111 or 001",
    };

    private static (CheckedRecord?, RecordRefusal?) Refuse(string reason, string detail) => (null, new RecordRefusal(reason, detail));
}
