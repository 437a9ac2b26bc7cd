namespace OrleansLicenses.Errors;

/// <summary>
/// A dependency of the silo (PostgreSQL) failed while a grain call was running. Thrown by grains instead of the
/// storage driver's own exceptions, which Orleans cannot carry to the API host; the API host answers 503 with
/// Retry-After. The operation did not take effect, or its outcome is unknown: a client retries with its
/// Idempotency-Key and gets the first result if there was one.
/// </summary>
[GenerateSerializer, Alias("ol.ServiceUnavailableException")]
public sealed class ServiceUnavailableException : Exception
{
    public ServiceUnavailableException()
        : this("A service the platform depends on is temporarily unavailable.")
    {
    }

    public ServiceUnavailableException(string message)
        : base(message)
    {
        Code = "service.unavailable";
    }

    public ServiceUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = "service.unavailable";
    }

    /// <summary>The stable problem code (<c>service.unavailable</c>, <c>audit.unavailable</c>).</summary>
    [Id(0)] public string Code { get; init; }
}
