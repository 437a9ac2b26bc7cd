using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansLicenses.Identifiers;
using OrleansLicenses.Logging;

namespace OrleansLicenses.Tests.Logging;

public sealed class PersonalDataLoggingTests
{
    [Fact]
    public void EveryProvider_ReceivesMaskedIdNumbers_InMessagesAndExceptions()
    {
        var citizen = TestCodes.CitizenId("230102", new DateOnly(1985, 6, 15), 123);
        var captured = new ConcurrentQueue<string>();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddProvider(new Capture(captured)).SetMinimumLevel(LogLevel.Trace));
        services.MaskPersonalDataInLogs();
        using var provider = services.BuildServiceProvider();
        var logger = provider.GetRequiredService<ILoggerFactory>().CreateLogger("Orleans.Runtime.Catalog");

#pragma warning disable CA1848, CA2254 // a test of the pipeline, not a hot path
        logger.LogWarning("Error activating grain holder/111:{Id}", citizen);
        logger.LogError(new InvalidOperationException($"GrainId=holder/111:{citizen}"), "failed");
#pragma warning restore CA1848, CA2254

        Assert.Equal(2, captured.Count);
        Assert.All(captured, line => Assert.DoesNotContain(citizen, line, StringComparison.Ordinal));
        Assert.All(captured, line => Assert.Contains(CitizenId.Mask(citizen), line, StringComparison.Ordinal));
    }

    private sealed class Capture(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(lines);

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue(formatter(state, exception) + exception);
        }
    }
}
