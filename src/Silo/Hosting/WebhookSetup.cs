using Microsoft.Extensions.DependencyInjection;
using OrleansLicenses.Webhooks;

namespace OrleansLicenses.Silo.Hosting;

/// <summary>Webhook delivery on a silo: options, store, secrets, the dispatcher and its bounded HTTP client.</summary>
public static class WebhookSetup
{
    public static IServiceCollection AddWebhookDelivery(this IServiceCollection services)
    {
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section);
        services.AddSingleton<WebhookStore>();
        services.AddSingleton<WebhookSecrets>();
        services.AddHttpClient(WebhookOptions.HttpClientName, c =>
            {
                // Each attempt has its own timeout (Webhooks:Timeout); this is only a backstop.
                c.Timeout = TimeSpan.FromMinutes(2);
                c.DefaultRequestHeaders.UserAgent.ParseAdd("OrleansLicenses-Webhooks/1");
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                // A redirect would post the signed body somewhere the unit did not configure.
                AllowAutoRedirect = false,
                ConnectTimeout = TimeSpan.FromSeconds(10),
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                MaxConnectionsPerServer = 4,
            });
        services.AddHostedService<WebhookDispatcher>();
        return services;
    }
}
