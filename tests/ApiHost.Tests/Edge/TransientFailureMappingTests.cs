using Microsoft.AspNetCore.Http;
using Npgsql;
using Orleans.Serialization;
using OrleansLicenses.ApiHost.Infrastructure;
using OrleansLicenses.Errors;

namespace OrleansLicenses.Tests.Edge;

/// <summary>
/// The fault drills' finding, as rules: a transient cluster or storage failure is 503 wherever it sits in the exception
/// chain (never 500), a client's own abort is 499, and a real bug stays 500.
/// </summary>
public sealed class TransientFailureMappingTests
{
    private static readonly PathString Issue = "/api/licenses";

    public static TheoryData<string, Exception> Transient => new()
    {
        // After a silo kill: Orleans gives up placing the grain of the dead silo in time.
        { "placement expired", new OperationCanceledException("Message expired before placement could complete for grain license/x") },
        // A driver exception that crossed the grain boundary and could not be deserialized.
        { "codec of the driver's exception", new CodecNotFoundException("Could not find a codec for type Npgsql.PostgresException") },
        { "driver exception inside an Orleans wrapper", new OrleansException("storage", new NpgsqlException("connection refused")) },
        { "driver exception inside an aggregate", new AggregateException(new InvalidOperationException("reminder", new NpgsqlException("terminating connection"))) },
        { "the silo's own 503", new OrleansException("activation", new ServiceUnavailableException("down")) },
        { "silo gone", new SiloUnavailableException() },
        { "response timeout", new TimeoutException() },
    };

    [Theory]
    [MemberData(nameof(Transient))]
    public void ATransientFailure_Is503(string what, Exception failure)
    {
        Assert.True(ProblemExceptionHandler.StatusCodeFor(failure, Issue) == StatusCodes.Status503ServiceUnavailable, what);
    }

    [Fact]
    public void TheClientsOwnAbort_Is499_NotAFault()
    {
        Assert.Equal(StatusCodes.Status499ClientClosedRequest, ProblemExceptionHandler.StatusCodeFor(new OperationCanceledException(), Issue, requestAborted: true));
    }

    [Fact]
    public void ABug_StaysA500_AndAConcurrencyLoserA409()
    {
        Assert.Equal(StatusCodes.Status500InternalServerError, ProblemExceptionHandler.StatusCodeFor(new InvalidOperationException("a bug"), Issue));
        Assert.Equal(StatusCodes.Status500InternalServerError, ProblemExceptionHandler.StatusCodeFor(new CodecNotFoundException("Could not find a codec for type Some.Bug"), Issue));
        Assert.Equal(StatusCodes.Status409Conflict, ProblemExceptionHandler.StatusCodeFor(new Orleans.Storage.InconsistentStateException("etag"), Issue));
    }
}
