using Npgsql;
using Orleans.Runtime.Messaging;
using Orleans.Serialization;
using OrleansLicenses.Errors;

namespace OrleansLicenses.ApiHost.Infrastructure;

/// <summary>
/// Which exceptions mean "the cluster or the database did not answer this time" (503 with Retry-After), wherever they
/// sit in the chain an exception carries: Orleans wraps what crosses a grain boundary in <see cref="OrleansException"/>,
/// tasks wrap in <see cref="AggregateException"/>. The request did not take effect, or its outcome is unknown; a
/// client retries with its Idempotency-Key and gets the first result if there was one.
/// </summary>
public static class TransientFailures
{
    /// <summary>The first transient cause in the exception's chain, if there is one.</summary>
    public static Exception? Find(Exception exception) => ExceptionCauses.Of(exception).FirstOrDefault(IsTransient);

    private static bool IsTransient(Exception e) => e switch
    {
        // The cluster: a silo that died or left, a gateway that refused or is gone, no answer within the response timeout.
        SiloUnavailableException or OrleansMessageRejectionException or GatewayTooBusyException or ConnectionFailedException
            or TimeoutException => true,
        // A grain's storage, reminders or own queries, already turned into the platform's serializable error by the silo.
        ServiceUnavailableException => true,
        // The API host's own PostgreSQL use (audit writer, read-model queries, health, idempotency of its own).
        NpgsqlException => true,
        // Not the client's abort (the handler checks that first): Orleans' own cancellations, e.g. "Message expired
        // before placement could complete" while a dead silo's grains are placed anew, or a bounded wait that ran out.
        OperationCanceledException => true,
        // A driver exception that crossed the grain boundary unconverted cannot be deserialized; it is still a storage failure.
        CodecNotFoundException c => c.Message.Contains("Npgsql", StringComparison.Ordinal),
        _ => false,
    };
}
