namespace OrleansLicenses.ApiHost.OpenApi;

/// <summary>
/// Every <c>code</c> a problem answer (RFC 9457) of this platform carries, with its status and meaning: the list the
/// OpenAPI document prints under each operation's error responses. Codes are stable; titles and details are prose.
/// A code is listed under an operation when its status is one the operation can answer and its prefix is one of the
/// operation's areas (<see cref="AreasOf"/>), or when it belongs to every operation (<see cref="Everywhere"/>).
/// </summary>
public static class ProblemCatalog
{
    public sealed record Entry(string Code, int Status, string Meaning);

    /// <summary>Answers any operation can give, whatever it is about.</summary>
    public static readonly IReadOnlyList<Entry> Everywhere =
    [
        new("request.invalid", 400, "one or more fields are malformed; `errors` names each field with what is wrong"),
        new("request.invalid_json", 400, "the body is not valid JSON, or has a duplicated member or a control character"),
        new("request.unreadable", 400, "the body cannot be read (too large: 413, wrong media type: 415)"),
        new("request.method_not_allowed", 405, "the path exists, but not with this HTTP method"),
        new("auth.unauthenticated", 401, "no bearer token, or one that is expired, not genuine, of a disabled client or issued before its secret was rotated"),
        new("auth.forbidden", 403, "the token's role may not call this operation"),
        new("resource.not_found", 404, "no such object, or one the caller may not see (the two answer alike)"),
        new("idempotency.in_flight", 409, "a request with the same Idempotency-Key is still being executed"),
        new("concurrency.conflict", 409, "the object was changed concurrently; read it again"),
        new("idempotency.key_reused", 422, "the Idempotency-Key was used before with another body"),
        new("rate.limited", 429, "too many requests; the Retry-After header says when to try again"),
        new("request.aborted", 499, "the client closed the connection before the answer; nothing is sent (logged and audited only)"),
        new("service.unavailable", 503, "the cluster or the database is temporarily unavailable; retry after Retry-After"),
        new("audit.unavailable", 503, "the audit record could not be written, so nothing was executed or disclosed; retry"),
        new("server.error", 500, "an unexpected error; the answer says nothing about internals and the log has the cause"),
    ];

    /// <summary>Answers of one area of the domain (the code's prefix).</summary>
    public static readonly IReadOnlyList<Entry> Domain =
    [
        new("license.invalid_request", 400, "the licence's holder, face data or validity break the type's rules (each field named)"),
        new("license.unknown_type", 400, "the licence type is not in the catalogue"),
        new("license.invalid_event", 400, "the status event is malformed (unknown type, missing or out-of-range field)"),
        new("license.forbidden", 403, "only an issuer client of the issuing unit issues its licences"),
        new("license.type_not_issuable", 403, "the unit is not active or may not issue this licence type"),
        new("license.not_found", 404, "no such licence, or one the caller may not see"),
        new("license.exists", 409, "a different licence already has this number (serial)"),
        new("license.holder_has_live_license", 409, "the holder already has a live licence of this single-instance type"),
        new("license.invalid_transition", 409, "the licence's effective status does not accept this event"),
        new("license.already_mortgaged", 409, "mortgage while already mortgaged"),
        new("license.not_mortgaged", 409, "release-mortgage while not mortgaged"),
        new("license.already_pledged", 409, "pledge while already pledged"),
        new("license.not_pledged", 409, "release-pledge while not pledged"),
        new("license.encumbered", 409, "transfer-out while mortgaged or pledged"),
        new("license.long_term", 409, "extend of a long-term licence, which has no end to move"),
        new("license.version_limit", 409, "a new version would pass 999"),
        new("license.concurrent_write", 409, "the licence was changed concurrently; read it again"),
        new("verification.comparison_limit", 429, "the unit compared values against this licence too often this hour (masking cannot be undone by guessing)"),
        new("catalog.invalid_definition", 400, "the type definition breaks the catalogue's rules (each field named)"),
        new("catalog.invalid_file", 400, "the catalogue file is empty, too large or not of its kind's media type"),
        new("catalog.forbidden", 403, "only administrators maintain the catalogue"),
        new("catalog.type_not_found", 404, "no such licence type"),
        new("unit.invalid_definition", 400, "the unit definition breaks the rules (parent, level, region, types; each field named)"),
        new("cluster.internal_only", 403, "a silo-internal grain interface was called by an Orleans client outside the silos (never over HTTP)"),
        new("unit.parent_not_found", 400, "the parent unit is not defined"),
        new("unit.parent_level", 400, "the parent unit is not of a higher level"),
        new("unit.region_outside_parent", 400, "the unit's region is not within its parent's"),
        new("unit.unknown_type", 400, "an issuable or scoped licence type is not in the catalogue"),
        new("unit.forbidden", 403, "only administrators maintain units"),
        new("unit.not_found", 404, "no such unit"),
        new("unit.cannot_sign", 409, "the unit has no usable signing key"),
        new("client.forbidden", 403, "only administrators register and manage system clients"),
        new("client.not_found", 404, "no such client"),
        new("client.exists", 409, "a client with this id exists"),
        new("client.disabled", 409, "the client is disabled: its secret is not rotated"),
        new("client.enabled", 409, "the client is enabled: rotate its secret instead of enabling it"),
        new("holder.not_found", 404, "no such holder, or not the caller"),
        new("authorization.expired", 400, "the authorization's end is not in the future"),
        new("authorization.limit", 409, "the holder has 100 authorizations in force; withdraw one first"),
        new("correction.fields_required", 400, "a correction resolved as corrected needs the corrected fields"),
        new("correction.invalid_evidence", 400, "the evidence file is missing, too large or of a refused type"),
        new("correction.unknown_field", 400, "a field named in the correction is not an element of the licence type"),
        new("correction.invalid_outcome", 400, "the outcome is not confirmed, corrected or rejected"),
        new("correction.may_not_file", 403, "only the holder or a unit that used the licence files a correction request"),
        new("correction.no_use_record", 403, "the unit has no use record of the licence"),
        new("correction.not_found", 404, "no such correction request, or one the caller is not a party to"),
        new("correction.already_filed", 409, "a correction request with this id exists"),
        new("correction.invalid_transition", 409, "the request's stage does not allow this step, or the caller may not take it"),
        new("correction.concurrent_write", 409, "the correction request was changed concurrently"),
        new("webhook.invalid_url", 400, "the webhook URL is not an absolute http(s) URL the platform may call"),
        new("webhook.invalid_secret", 400, "the webhook secret is too short or too long"),
        new("inspect.forbidden", 403, "only administrators inspect live grain state"),
        new("audit.chain_broken", 409, "the audit chain does not verify (answered by the verification itself)"),
    ];

    /// <summary>The code prefixes that belong to an OpenAPI tag (an area of the contract).</summary>
    public static IReadOnlyList<string> AreasOf(string tag) => tag switch
    {
        "Licences" => ["license."],
        "Catalogue" => ["catalog."],
        "Units" => ["unit."],
        "Clients" => ["client."],
        "Holder" => ["holder.", "authorization.", "license.not_found"],
        "Verification" => ["license.not_found"],
        "Corrections" => ["correction.", "license.not_found"],
        "Notifications" => ["webhook.", "unit.not_found"],
        "Administration" => ["inspect.", "unit.not_found", "license.not_found", "catalog.type_not_found", "correction.not_found", "holder.not_found"],
        "Audit" => ["audit.chain_broken"],
        _ => [],
    };

    /// <summary>The default code of a problem answer written without one (authentication, routing, rate limiting).</summary>
    public static string? DefaultCode(int status) => status switch
    {
        400 => "request.invalid",
        401 => "auth.unauthenticated",
        403 => "auth.forbidden",
        404 => "resource.not_found",
        405 => "request.method_not_allowed",
        413 or 415 => "request.unreadable",
        429 => "rate.limited",
        503 => "service.unavailable",
        _ => null,
    };
}
