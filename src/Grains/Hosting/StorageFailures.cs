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
    public static ServiceUnavailableException Unavailable(Exception cause)
    {
        var driver = ExceptionCauses.Of(cause).FirstOrDefault(e => e is NpgsqlException) ?? cause;
        return new($"The licence database is temporarily unavailable ({driver.GetType().Name}{(driver is PostgresException p ? " " + p.SqlState : "")}).");
    }

    /// <summary>
    /// Whether an exception is a failure of the database or of reaching it (as opposed to a rule or a bug): the driver's
    /// exception or a time-out, itself or anywhere inside it (an <see cref="Orleans.Runtime.OrleansException"/> of the
    /// reminder or storage provider, an <see cref="AggregateException"/>, any other wrapper). A concurrency conflict is
    /// not one: it is the loser of a race, answered 409.
    /// </summary>
    public static bool IsStorageFailure(Exception e) =>
        e is not Orleans.Storage.InconsistentStateException && e is not ServiceUnavailableException
        && ExceptionCauses.Of(e).Any(c => c is NpgsqlException or TimeoutException);
}
