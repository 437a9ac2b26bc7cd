using OrleansLicenses.Audit;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace OrleansLicenses.ApiHost.Audit;

/// <summary>Composition of the audit trail: <c>builder.AddAuditTrail()</c>, <c>app.UseAuditTrail()</c> after authorization.</summary>
public static class AuditSetup
{
    public static WebApplicationBuilder AddAuditTrail(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.Configure<AuditSettings>(builder.Configuration.GetSection(AuditSettings.Section));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new AuditKeys(
            sp.GetRequiredService<IOptions<AuditSettings>>().Value, sp.GetRequiredService<IHostEnvironment>().IsDevelopment()));
        services.AddSingleton<AuditEntryFactory>();
        services.AddSingleton(sp => AuditAnchor.From(sp.GetRequiredService<IOptions<AuditSettings>>().Value));
        services.AddSingleton<AuditVerifier>();
        services.AddSingleton<AuditCheckpointer>();
        services.AddSingleton<AuditWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<AuditWriter>());
        services.AddHostedService<AuditCheckpointService>();
        // Denials by authorization policies happen before any endpoint; this handler counts them (access_denials).
        services.Configure<DenialAuditSettings>(builder.Configuration.GetSection(DenialAuditSettings.Section));
        services.AddSingleton<DenialAggregator>();
        services.AddSingleton<DenialFlusher>();
        services.AddHostedService(sp => sp.GetRequiredService<DenialFlusher>());
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, AuditingAuthorizationResultHandler>();
        return builder;
    }

    /// <summary>Place after <c>UseAuthorization</c>: the caller is known and the endpoint has not run yet.</summary>
    public static IApplicationBuilder UseAuditTrail(this IApplicationBuilder app) => app.UseMiddleware<AuditMiddleware>();
}

/// <summary>Signs the chain head every <see cref="AuditSettings.CheckpointIntervalSeconds"/> when it moved.</summary>
public sealed partial class AuditCheckpointService(
    AuditCheckpointer checkpointer, AuditKeys keys, IOptions<AuditSettings> options, TimeProvider time, ILogger<AuditCheckpointService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (keys.IsDevelopmentKey)
        {
            LogDevelopmentKey(logger);
        }

        var seconds = options.Value.CheckpointIntervalSeconds;
        if (seconds <= 0)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(seconds), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await checkpointer.CreateAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The next tick tries again; a broken chain is logged by the checkpointer itself.
                    LogFailed(logger, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Audit:CheckpointKey is not configured: checkpoints are signed with the published development key and prove nothing")]
    private static partial void LogDevelopmentKey(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "Audit checkpoint failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
