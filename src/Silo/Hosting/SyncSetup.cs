using Microsoft.Extensions.DependencyInjection;
using OrleansLicenses.Sync;

namespace OrleansLicenses.Silo.Hosting;

/// <summary>Aggregation on a silo: receiving (trusted lower roots, the batch record), digests, and pushing upward.</summary>
public static class SyncSetup
{
    public static IServiceCollection AddAggregation(this IServiceCollection services)
    {
        services.AddSingleton<TrustedRoots>();
        services.AddSingleton<SyncBatchStore>();
        services.AddSingleton<DigestQuery>();
        services.AddSingleton<FeedReader>();
        services.AddSingleton<PushCursorStore>();
        services.AddSingleton<UpstreamClient>();
        services.AddHttpClient(UpstreamClient.HttpClientName, c => c.DefaultRequestHeaders.UserAgent.ParseAdd("OrleansLicenses-Sync/1"))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                ConnectTimeout = TimeSpan.FromSeconds(10),
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            });
        services.AddSingleton<UpstreamPushKeeper>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<UpstreamPushKeeper>());
        return services;
    }
}
