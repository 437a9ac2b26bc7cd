using Npgsql;
using OrleansLicenses.Errors;

namespace OrleansLicenses.Hosting;

/// <summary>
/// Storage failures leave the silo as <see cref="ServiceUnavailableException"/>: the driver's exceptions cannot be
/// serialized to the API host (they would arrive as a codec error and a 500). The driver's type and SQL state are
/// kept in the message; the connection string and parameters never are.
/// </summary>
public static class StorageFailures
{
    public static ServiceUnavailableException Unavailable(Exception cause) => new(
        $"The licence database is temporarily unavailable ({cause.GetType().Name}{(cause is PostgresException p ? " " + p.SqlState : "")}).");

    /// <summary>Whether an exception is a failure of the database or of reaching it (as opposed to a rule or a bug).</summary>
    public static bool IsStorageFailure(Exception e) => e switch
    {
        NpgsqlException or TimeoutException => true,
        Orleans.Storage.InconsistentStateException => false,
        Orleans.Runtime.OrleansException { InnerException: { } inner } => IsStorageFailure(inner),
        _ when e.InnerException is NpgsqlException => true,
        _ => false,
    };
}
