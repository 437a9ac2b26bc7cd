using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Storage;
using OrleansLicenses.Hosting;
using OrleansLicenses.Logging;

namespace OrleansLicenses.Silo.Hosting;

/// <summary>The one place that says what a licence silo is; used by <c>Program</c> and by the test clusters.</summary>
public static class SiloSetup
{
    public const string Invariant = "Npgsql";

    private const string AdoNetStore = "pg-adonet";

    public static string PostgresConnectionString(this IConfiguration configuration) => PostgresConnectionStrings.ForPlatform(
        configuration.GetConnectionString("Postgres") ?? throw new InvalidOperationException("ConnectionStrings:Postgres is not configured."));

    /// <summary>
    /// The schema owner's connection, for the migrations only (<c>ConnectionStrings:Migrations</c>): the silo itself then
    /// runs as a login in the group role <c>ol_silo</c>, which owns nothing (<c>deploy/sql/0025_silo_runtime_role.sql</c>).
    /// Without it the silo migrates with its own connection, which must then be the owner's.
    /// </summary>
    public static string MigrationConnectionString(this IConfiguration configuration) =>
        configuration.GetConnectionString("Migrations") is { Length: > 0 } owner ? owner : configuration.PostgresConnectionString();

    /// <summary>Membership on PostgreSQL plus the ports and identity of this silo.</summary>
    public static ISiloBuilder UsePostgresClustering(this ISiloBuilder silo, IConfiguration configuration)
    {
        var settings = configuration.GetSection(ClusterSettings.Section).Get<ClusterSettings>() ?? new ClusterSettings();
        silo.Configure<ClusterOptions>(o =>
        {
            o.ServiceId = settings.ServiceId;
            o.ClusterId = settings.ClusterId;
        });
        if (KubernetesSetup.IsEnabled(configuration, Environment.GetEnvironmentVariable))
        {
            silo.UseKubernetesEndpoints(settings, Environment.GetEnvironmentVariable);
        }
        else
        {
            silo.ConfigureEndpoints(IPAddress.Parse(settings.AdvertisedIPAddress), settings.SiloPort, settings.GatewayPort, listenOnAnyHostAddress: false);
        }

        silo.UseAdoNetClustering(o =>
        {
            o.Invariant = Invariant;
            o.ConnectionString = configuration.PostgresConnectionString();
        });
        silo.UsePlatformMembership();
        return silo;
    }

    /// <summary>Grain storage, reminders, the dashboard collector and the platform's own services.</summary>
    public static ISiloBuilder AddLicensePlatform(this ISiloBuilder silo, IConfiguration configuration)
    {
        var connectionString = configuration.PostgresConnectionString();
        silo.AddAdoNetGrainStorage(AdoNetStore, o =>
        {
            o.Invariant = Invariant;
            o.ConnectionString = connectionString;
        });
        // Grains use StorageNames.Store: the platform's own table (grain_states), reading what the ADO.NET provider
        // wrote before it (behind a wrapper that scopes those rows by grain type) until a grain writes again.
        silo.Services.AddKeyedSingleton<IGrainStorage>(StorageNames.Store, (sp, _) => new PlatformGrainStorage(
            sp.GetRequiredService<Npgsql.NpgsqlDataSource>(), sp.GetRequiredService<IGrainStorageSerializer>(),
            new GrainTypeScopedStorage(sp.GetRequiredKeyedService<IGrainStorage>(AdoNetStore)),
            sp.GetServices<OrleansLicenses.ReadModel.IReadModelProjector>()));
        // Stored state is plain JSON, readable with SQL and not bound to CLR type names.
        silo.UseSystemTextJsonGrainStorageSerializer();
        silo.UseAdoNetReminderService(o =>
        {
            o.Invariant = Invariant;
            o.ConnectionString = connectionString;
        });
        // The dashboard's collector samples every metric (activation counts walk the catalogue) on each update;
        // once a second cost a busy silo several per cent of its CPU, so operators get a 10 s refresh by default.
        silo.AddDashboard(o => o.CounterUpdateIntervalMs = configuration.GetValue("Dashboard:CounterUpdateIntervalMs", 10_000));
        silo.Services.AddSingleton(TimeProvider.System);
        silo.Services.AddSingleton(_ => PlatformDataSource(connectionString));
        // Read-model rows that commit with a grain's state (the licence's are written by its LicenseStore).
        silo.Services.AddSingleton<OrleansLicenses.ReadModel.IReadModelProjector, OrleansLicenses.ReadModel.LicenseTypeProjector>();
        silo.Services.AddSingleton<OrleansLicenses.ReadModel.IReadModelProjector, OrleansLicenses.ReadModel.UnitProjector>();
        silo.Services.AddSingleton<OrleansLicenses.ReadModel.IReadModelProjector, OrleansLicenses.ReadModel.CertificateAuthorityProjector>();
        silo.Services.AddSingleton<OrleansLicenses.ReadModel.LicenseReadModel>();
        silo.Services.AddSingleton<OrleansLicenses.Licenses.LicenseGroupCommit>();
        silo.Services.AddSingleton<OrleansLicenses.Licenses.LicenseStore>();
        silo.Services.AddSingleton<OrleansLicenses.Imports.ImportStore>();
        silo.Services.AddSingleton<OrleansLicenses.Journal.PresentationUseStore>();
        silo.Services.AddSingleton<OrleansLicenses.Units.UnitDirectory>();
        // One group-commit writer per silo for use records and their audit records, on the silo's own audit chain.
        silo.Services.AddSingleton<OrleansLicenses.Journal.VerificationJournal>();
        silo.Services.AddHostedService(sp => sp.GetRequiredService<OrleansLicenses.Journal.VerificationJournal>());
        // Database failures leave every grain call as a serializable 503-mapped error, never a codec failure.
        silo.AddIncomingGrainCallFilter<StorageFailureCallFilter>();
        silo.AddIncomingGrainCallFilter<SiloInternalCallFilter>();
        silo.Services.AddSingleton<OrleansLicenses.Units.SigningKeyProtection>();
        // Unit signatures on the caller's thread, keys cached per silo (see UnitSigners for the refresh policy).
        silo.Services.AddSingleton<OrleansLicenses.Signing.UnitSigners>();
        silo.Services.AddHostedService<IdempotencyCleanup>();
        // Correction requests (art. 15): their store, deadlines (Corrections:StageDeadline) and the start-up escalation sweep.
        silo.Services.AddOptions<OrleansLicenses.Corrections.CorrectionOptions>().BindConfiguration(OrleansLicenses.Corrections.CorrectionOptions.Section);
        silo.Services.AddSingleton<OrleansLicenses.Corrections.CorrectionStore>();
        silo.Services.AddSingleton<OrleansLicenses.Corrections.CorrectionDeadlineSweep>();
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<OrleansLicenses.Corrections.CorrectionDeadlineSweep>());
        // Webhook delivery of units' notifications (Webhooks:*): the outbox in PostgreSQL, drained by every silo.
        silo.Services.AddWebhookDelivery();
        // Aggregation between library levels (issue 11): receiving batches, digests, and the upstream pushers (Upstream:*).
        silo.Services.AddAggregation();
        return silo;
    }

    /// <summary>Builds the silo host: configuration from appsettings and environment, graceful stop on SIGTERM.</summary>
    /// <param name="args">Command-line arguments (configuration).</param>
    /// <param name="configure">Adds configuration sources.</param>
    /// <param name="logging">Adds logging providers.</param>
    /// <param name="silo">Runs last on the silo builder (tests: their clock and membership settings).</param>
    public static IHost BuildHost(string[] args, Action<IConfigurationBuilder>? configure = null, Action<Microsoft.Extensions.Logging.ILoggingBuilder>? logging = null,
        Action<ISiloBuilder>? silo = null)
    {
        var builder = Host.CreateApplicationBuilder(args);
        configure?.Invoke(builder.Configuration);
        logging?.Invoke(builder.Logging);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        if (builder.Configuration[SiloHealthEndpoint.UrlSetting] is { Length: > 0 } healthUrl)
        {
            // Registered before the silo, so it answers (503) while the silo joins.
            builder.Services.AddHostedService(sp => new SiloHealthEndpoint(healthUrl,
                () => sp.GetRequiredService<Orleans.Runtime.ISiloStatusOracle>().CurrentStatus == Orleans.Runtime.SiloStatus.Active,
                sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<SiloHealthEndpoint>>()));
        }

        builder.UseOrleans(orleans =>
        {
            orleans.UsePostgresClustering(builder.Configuration).AddLicensePlatform(builder.Configuration)
                .UseClusterTls(builder.Configuration, builder.Environment.IsDevelopment());
            silo?.Invoke(orleans);
        });
        builder.Services.MaskPersonalDataInLogs();
        builder.AddSiloMetrics();
        return builder.Build();
    }

    /// <summary>
    /// The silo's own PostgreSQL pool. The hot statements (journal batches, licence commits) have fixed texts, so
    /// Npgsql prepares them automatically unless the connection string says otherwise: PostgreSQL then binds a
    /// plan instead of parsing and planning the text on every batch.
    /// </summary>
    private static Npgsql.NpgsqlDataSource PlatformDataSource(string connectionString)
    {
        var builder = new Npgsql.NpgsqlDataSourceBuilder(connectionString);
        if (!connectionString.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase))
        {
            builder.ConnectionStringBuilder.MaxAutoPrepare = 32;
            builder.ConnectionStringBuilder.AutoPrepareMinUsages = 2;
        }

        return builder.Build();
    }
}
