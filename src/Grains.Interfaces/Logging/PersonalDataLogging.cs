using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansLicenses.Licenses;

namespace OrleansLicenses.Logging;

/// <summary>
/// Masks natural persons' id numbers in every log line, including those Orleans writes itself (holder grain keys
/// are <c>111:&lt;id number&gt;</c>, and runtime errors print grain ids). Wraps every registered logger provider; call
/// it after all providers are added.
/// </summary>
public static class PersonalDataLogging
{
    public static IServiceCollection MaskPersonalDataInLogs(this IServiceCollection services)
    {
        foreach (var descriptor in services.Where(d => d.ServiceType == typeof(ILoggerProvider) && !d.IsKeyedService).ToList())
        {
            services.Remove(descriptor);
            services.AddSingleton<ILoggerProvider>(sp => new MaskingLoggerProvider(descriptor switch
            {
                { ImplementationInstance: ILoggerProvider instance } => instance,
                { ImplementationFactory: { } factory } => (ILoggerProvider)factory(sp),
                _ => (ILoggerProvider)ActivatorUtilities.CreateInstance(sp, descriptor.ImplementationType!),
            }));
        }

        return services;
    }

    private sealed class MaskingLoggerProvider(ILoggerProvider inner) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new MaskingLogger(inner.CreateLogger(categoryName));

        public void Dispose() => inner.Dispose();
    }

    private sealed class MaskingLogger(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!inner.IsEnabled(logLevel))
            {
                return;
            }

            // The exception's text is masked into the message; the exception object itself (which may carry an id
            // in its message) is not passed on.
            var message = PersonalData.MaskText(formatter(state, exception));
            var text = exception is null ? message : $"{message}{Environment.NewLine}{PersonalData.MaskText(exception.ToString())}";
            inner.Log(logLevel, eventId, text, null, static (s, _) => s);
        }
    }
}
