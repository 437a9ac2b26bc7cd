using System.Security.Cryptography;
using System.Text;
using OrleansLicenses.Access;
using OrleansLicenses.Audit;
using OrleansLicenses.Catalog;
using OrleansLicenses.Identifiers;
using OrleansLicenses.Units;
using OrleansLicenses.Verification;

namespace OrleansLicenses.Licenses;

/// <summary>
/// The disclosure rules of verification and public query, kept apart from the grain's state handling.
/// Minimum necessary (art. 18–19): a verifier whose business scope covers the licence type for the matter in hand
/// sees all face fields; any other entitled verifier (holder presentation or authorization) sees the public
/// fields only. A natural person's id number is shown in full only to an in-scope verifier of a type whose
/// sensitivity is normal or personal; otherwise it is masked.
/// </summary>
public static class LicenseVerification
{
    public static bool ScopeCovers(UnitView? verifier, string matterCode, string typeCode) =>
        verifier is { Definition.Status: "active" } unit
        && unit.Definition.Scope.Any(m => m.MatterCode == matterCode && m.LicenseTypes.Contains(typeCode));

    /// <param name="license">The licence.</param>
    /// <param name="version">The version verified.</param>
    /// <param name="type">The catalogue version the licence version was issued under: what its elements are.</param>
    /// <param name="rules">The current catalogue version: whose public fields and sensitivity decide what is shown, so a
    /// type made stricter is stricter for licences issued before the change too.</param>
    /// <param name="inScope">The verifier's business scope covers the type for the matter.</param>
    public static VerifiedLicense Disclose(LicenseState license, LicenseVersionState version, LicenseTypeView type, LicenseTypeView rules, bool inScope)
    {
        var d = rules.Definition;
        var visible = inScope ? version.Fields : version.Fields.Where(f => d.PublicFields.Contains(f.Key)).ToDictionary(StringComparer.Ordinal);
        var personIds = type.Definition.Fields.Concat(d.Fields).Where(f => f.Type == "idNumber").Select(f => f.Key).ToHashSet(StringComparer.Ordinal);
        var showIds = inScope && d.Sensitivity is "normal" or "personal";
        var fields = visible.ToDictionary(f => f.Key, f => personIds.Contains(f.Key) && !showIds ? CitizenId.Mask(f.Value) : f.Value, StringComparer.Ordinal);
        var holder = version.Holder;
        var holderId = holder.IdType == HolderIdTypes.Citizen && !showIds ? CitizenId.Mask(holder.IdNumber) : holder.IdNumber;
        return new VerifiedLicense(version.Identifier, license.TypeCode, d.Name, license.IssuerCode, version.Version, holder.Name,
            holder.IdType, holderId, version.ValidFrom, version.ValidUntil, fields, version.IdentifierCheck);
    }

    /// <summary>
    /// What the whole signed document hands over, as the use archive records it: every element and the holder's
    /// name and id number unmasked (the holder's authorization is consent to the document as the holder has it).
    /// </summary>
    public static VerifiedLicense WholeDocument(LicenseState license, LicenseVersionState version, LicenseTypeView type) =>
        new(version.Identifier, license.TypeCode, type.Definition.Name, license.IssuerCode, version.Version, version.Holder.Name,
            version.Holder.IdType, version.Holder.IdNumber, version.ValidFrom, version.ValidUntil, version.Fields, version.IdentifierCheck);

    /// <summary>
    /// Per submitted field: match, mismatch, absent (the licence has no such value), or not-permitted for a field the
    /// verifier may not see in full — not disclosed, or disclosed masked (a natural person's id number): otherwise
    /// comparing would let it guess undisclosed values one candidate at a time. Never the value itself.
    /// </summary>
    public static IReadOnlyDictionary<string, string>? Compare(LicenseVersionState version, IReadOnlyDictionary<string, string>? submitted, VerifiedLicense disclosed)
    {
        if (submitted is null)
        {
            return null;
        }

        return submitted.ToDictionary(s => s.Key, s => !version.Fields.TryGetValue(s.Key, out var actual) ? "absent"
            : disclosed.Fields.GetValueOrDefault(s.Key) != actual ? "not-permitted"
            : string.Equals(Normalize(actual), Normalize(s.Value), StringComparison.Ordinal) ? "match" : "mismatch", StringComparer.Ordinal);
    }

    /// <summary>
    /// The licence part of a compare-only answer (比对): identity, type, issuer, version and validity, but no face
    /// values and no holder name or id number, so comparing never reveals what the caller did not submit (DESIGN §6.1).
    /// </summary>
    public static VerifiedLicense CompareOnly(VerifiedLicense disclosed) =>
        disclosed with { HolderName = null, HolderIdNumber = null, Fields = new Dictionary<string, string>(StringComparer.Ordinal) };

    public static PublicLicense? Public(LicenseState license, LicenseVersionState version, LicenseTypeView type, string status, string code, bool current)
    {
        var d = type.Definition;
        if (!d.PublicDisclosure)
        {
            return null;
        }

        // A superseded version discloses its status only: its face data is no longer what the licence says.
        var fields = current ? version.Fields.Where(f => d.PublicFields.Contains(f.Key)).ToDictionary(StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);
        // An organisation's name is public record; a natural person's is not.
        var holderName = current && version.Holder.IdType == HolderIdTypes.Organization ? version.Holder.Name : null;
        return new PublicLicense(version.Identifier, license.TypeCode, d.Name, license.IssuerCode, status, code,
            version.ValidFrom, version.ValidUntil, holderName, fields, current, version.IdentifierCheck,
            d.Fields.Where(f => fields.ContainsKey(f.Key)).ToDictionary(f => f.Key, f => f.Name, StringComparer.Ordinal));
    }

    /// <summary>
    /// The verification's audit record as the API host described the request, or, for a caller inside the cluster
    /// that sent none, one made from the caller (a natural person's id masked).
    /// </summary>
    public static AuditEntry AuditOf(VerifyLicense request, Caller caller, DateTimeOffset now,
        string action = "VerifyLicense", string resource = "/api/verifications") =>
        (request.Audit ?? new AuditEntry(now, caller.RequestId ?? "", PersonalData.MaskText(caller.Subject), null, caller.Role, caller.UnitCode,
            null, AuditKinds.Read, action, resource, AuditOutcomes.Attempted, null, request.Purpose, null)) with { Time = now };

    public static string DocumentHash(LicenseVersionState version) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(version.Canonical)));

    // Comparison ignores surrounding white space and full-width/half-width differences of ASCII characters.
    private static string Normalize(string value) => value.Trim().Normalize(NormalizationForm.FormKC);
}
