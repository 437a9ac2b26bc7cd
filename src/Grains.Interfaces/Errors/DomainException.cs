namespace OrleansLicenses.Errors;

/// <summary>How the edge should answer a domain rule that refused a request.</summary>
public enum DomainErrorKind
{
    /// <summary>The request is well-formed but breaks a rule about its content (400).</summary>
    Invalid = 0,
    /// <summary>The resource does not exist or the caller may not know it exists (404).</summary>
    NotFound = 1,
    /// <summary>The resource is in a state that does not allow the operation (409).</summary>
    Conflict = 2,
    /// <summary>The request repeats an idempotency key with another body (422).</summary>
    Unprocessable = 3,
    /// <summary>The caller is known but may not do this (403).</summary>
    Forbidden = 4,
    /// <summary>The caller did this too often for now (429, with Retry-After).</summary>
    TooManyRequests = 5,
}

/// <summary>
/// A domain rule refused the operation. Thrown by grains, mapped to problem details by the API host.
/// <see cref="Code"/> is stable (e.g. <c>license.invalid_transition</c>) so integrators can branch on it.
/// </summary>
[GenerateSerializer, Alias("ol.DomainException")]
public sealed class DomainException : Exception
{
    public DomainException(DomainErrorKind kind, string code, string message, string? field = null)
        : base(message)
    {
        Kind = kind;
        Code = code;
        Field = field;
        // Concrete lists: the Orleans serializer copies a runtime type it knows, not a compiler-made collection.
        Errors = field is null ? new List<FieldError>() : new List<FieldError> { new(field, message) };
    }

    /// <summary>A request with one or more bad fields (400): every one of them, so the caller can fix them all at once.</summary>
    public DomainException(string code, IReadOnlyList<FieldError> errors)
        : base(Describe(errors))
    {
        ArgumentOutOfRangeException.ThrowIfZero(errors.Count);
        Kind = DomainErrorKind.Invalid;
        Code = code;
        Field = errors[0].Field;
        Errors = errors.ToList();
    }

    public DomainException()
        : this(DomainErrorKind.Invalid, "unknown", "Unknown domain error.")
    {
    }

    public DomainException(string message)
        : this(DomainErrorKind.Invalid, "unknown", message)
    {
    }

    public DomainException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = "unknown";
    }

    [Id(0)] public DomainErrorKind Kind { get; init; }

    [Id(1)] public string Code { get; init; }

    /// <summary>The request field the error is about, as a JSON path-like name (e.g. <c>holder.idNumber</c>).</summary>
    [Id(2)] public string? Field { get; init; }

    /// <summary>Every bad field with its message (the problem's <c>errors</c>); empty when the error is not about fields.</summary>
    [Id(3)] public IReadOnlyList<FieldError> Errors { get; init; } = new List<FieldError>();

    public static DomainException NotFound(string code, string message) => new(DomainErrorKind.NotFound, code, message);

    public static DomainException Conflict(string code, string message) => new(DomainErrorKind.Conflict, code, message);

    public static DomainException Invalid(string code, string field, string message) => new(DomainErrorKind.Invalid, code, message, field);

    /// <summary>Throws one 400 naming every field in <paramref name="errors"/>; does nothing when there are none.</summary>
    public static void ThrowIfAny(string code, IReadOnlyList<FieldError> errors)
    {
        if (errors.Count > 0)
        {
            throw new DomainException(code, errors);
        }
    }

    public static DomainException Forbidden(string code, string message) => new(DomainErrorKind.Forbidden, code, message);

    private static string Describe(IReadOnlyList<FieldError> errors) =>
        string.Join("; ", errors.Select(e => $"{e.Field} {e.Message}"));
}
