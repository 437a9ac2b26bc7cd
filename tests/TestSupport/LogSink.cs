using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OrleansLicenses.Tests;

/// <summary>
/// Collects every log line of the silos and API hosts started by this test process (Information and above),
/// so a test can sweep the whole run for personal data that must never be logged.
/// </summary>
public sealed class LogSink : ILoggerProvider
{
    public static readonly ConcurrentQueue<string> Lines = new();

    public static void AddTo(ILoggingBuilder logging) => logging.Services.AddSingleton<ILoggerProvider, LogSink>();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                Lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
            }
        }
    }
}
