using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Logging;

namespace OrleansLicenses.Tests.Infrastructure;

/// <summary>
/// The real API host (in memory) in front of a real two-silo cluster on a real PostgreSQL database.
/// Keys and the bootstrap admin secret are generated per fixture.
/// </summary>
public class ApiFixture : IAsyncLifetime
{
    public const string AdminClientId = "admin";

    public string AdminSecret { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));

    public string PlatformKey { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public string HolderDevKeyPem { get; } = NewEcKeyPem();

    /// <summary>The superuser's connection (silos, migrations, and the tests' own SQL).</summary>
    public string ConnectionString { get; private set; } = "";

    /// <summary>The API host's connection: a login in the least-privileged group role <c>ol_api_host</c>, as in production.</summary>
    public string ApiConnectionString { get; private set; } = "";

    /// <summary>The silos' connection: a login in the group role <c>ol_silo</c>, which owns no table (migration 0025).</summary>
    public string SiloConnectionString { get; private set; } = "";

    public SiloHosts Silos { get; private set; } = null!;

    /// <summary>The deployment's calendar, read by its silos and its API host; tests move it instead of waiting.</summary>
    public PlatformTestClock Clock { get; } = TestCalendar.NewClock();

    public WebApplicationFactory<Program> Factory { get; private set; } = null!;

    /// <summary>Public endpoints' per-address limit; the test server has one address for every test.</summary>
    protected virtual int PublicPerMinute => 100_000;

    /// <summary>Token requests' per-address limit.</summary>
    protected virtual int TokenPerMinute => 100_000;

    protected virtual Task<PostgresServer> ServerAsync() => PostgresServer.Shared;

    /// <summary>A second deployment on the first one's database (same secrets): a whole-cluster restart.</summary>
    public sealed class Restarted(ApiFixture previous) : ApiFixture
    {
        protected override Task<string> DatabaseAsync() => Task.FromResult(previous.ConnectionString);
    }

    protected virtual async Task<string> DatabaseAsync() => await PlatformDatabase.CreateAsync(await ServerAsync());

    public async Task InitializeAsync()
    {
        ConnectionString = await DatabaseAsync();
        ApiConnectionString = await LoginAsync(ConnectionString, "ol_api_host");
        SiloConnectionString = await LoginAsync(ConnectionString, "ol_silo");
        Silos = await SiloHosts.StartAsync(SiloConnectionString, clock: Clock, settings: SiloSettings);
        var clusterId = Silos.ClusterId;
        var serviceId = Silos.ServiceId;
        Factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Development");
            web.ConfigureLogging(LogSink.AddTo);
            web.UseSetting("ConnectionStrings:Postgres", ApiConnectionString);
            web.UseSetting("Orleans:ClusterId", clusterId);
            // This host lives through the whole test run, while the run starts and stops many other hosts and silos in the
            // same process: every instrument they create counts towards this meter provider's limit.
            web.UseSetting("Metrics:MaxMetricStreams", "1000000");
            web.UseSetting("Orleans:ServiceId", serviceId);
            web.UseSetting("Auth:SigningKey", PlatformKey);
            web.UseSetting("Auth:Holder:DevKeyPem", HolderDevKeyPem);
            web.UseSetting("Bootstrap:AdminClientId", AdminClientId);
            web.UseSetting("Bootstrap:AdminClientSecret", AdminSecret);
            web.UseSetting("Limits:MaxRequestBodyBytes", "65536");
            web.UseSetting("RateLimits:TokenPerMinute", TokenPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture));
            web.UseSetting("RateLimits:PublicPerMinute", PublicPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture));
            // Every in-memory request comes from one (unknown) address; the edge's limits have tests of their own.
            web.UseSetting("RateLimits:Edge:PerAddressPerSecond", "1000000");
            web.UseSetting("RateLimits:Edge:PerAddressBurst", "1000000");
            web.UseSetting("RateLimits:Edge:GlobalPerSecond", "1000000");
            web.UseSetting("RateLimits:Edge:GlobalBurst", "1000000");
            // The tests' calendar (OL_TEST_TODAY), the same one the silos read.
            web.ConfigureTestServices(Clock.Register);
            ConfigureHost(web);
        });
        Start(Factory); // start now, so the first test does not pay for it under its own timeout
    }

    /// <summary>A fresh EC P-256 private key, PKCS#8 PEM.</summary>
    public static string NewEcKeyPem()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return ec.ExportPkcs8PrivateKeyPem();
    }

    /// <summary>Starts the host: in memory (a <c>TestServer</c>) unless a derived fixture serves it on a real socket.</summary>
    protected virtual void Start(WebApplicationFactory<Program> factory) => _ = factory.Server;

    /// <summary>A new login in <paramref name="groupRole"/> (<c>ol_api_host</c>, <c>ol_silo</c>): the hosts run as in production, owning nothing.</summary>
    private static async Task<string> LoginAsync(string connectionString, string groupRole)
    {
        var login = $"{groupRole}_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(5))}";
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var cmd = new Npgsql.NpgsqlCommand($"CREATE ROLE {login} LOGIN IN ROLE {groupRole}", connection);
        await cmd.ExecuteNonQueryAsync();
        return new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { Username = login }.ConnectionString;
    }

    /// <summary>Configuration a derived fixture gives its silos on top of the defaults.</summary>
    protected virtual IReadOnlyDictionary<string, string?> SiloSettings { get; } = new Dictionary<string, string?>();

    /// <summary>Settings a derived fixture adds or overrides (they win over the ones above).</summary>
    protected virtual void ConfigureHost(IWebHostBuilder web)
    {
    }

    public virtual async Task DisposeAsync()
    {
        await Factory.DisposeAsync();
        await Silos.DisposeAsync();
    }

    public HttpClient Anonymous() => Factory.CreateClient();

    /// <summary>Runs a query as the superuser and returns its single value.</summary>
    public async Task<object?> ScalarAsync(string sql, params object[] parameters)
    {
        await using var connection = new Npgsql.NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var cmd = new Npgsql.NpgsqlCommand(sql, connection);
        foreach (var p in parameters)
        {
            cmd.Parameters.AddWithValue(p);
        }

        return await cmd.ExecuteScalarAsync();
    }

    public async Task<HttpClient> AsClientAsync(string clientId, string secret)
    {
        var token = await TokenAsync(clientId, secret);
        var http = Factory.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    public Task<HttpClient> AsAdminAsync() => AsClientAsync(AdminClientId, AdminSecret);

    public async Task<string> TokenAsync(string clientId, string secret)
    {
        using var http = Factory.CreateClient();
        using var response = await http.PostAsync("/api/auth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = secret,
        }));
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        return body.GetProperty("access_token").GetString()!;
    }

    /// <summary>Registers a system client through the admin API and returns its credentials.</summary>
    public async Task<(string ClientId, string Secret)> RegisterClientAsync(string role, string? unitCode = null, string? regionCode = null)
    {
        using var admin = await AsAdminAsync();
        using var response = await admin.PostAsJsonAsync("/api/clients", new { name = $"{role} system", role, unitCode, regionCode });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        return (body.GetProperty("clientId").GetString()!, body.GetProperty("clientSecret").GetString()!);
    }

    public async Task<HttpClient> AsHolderAsync(string idType, string idNumber, string name)
    {
        var token = await HolderTokenAsync(idType, idNumber, name);
        var client = Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>A holder's token from the development route (what the real-name system issues in production).</summary>
    public async Task<string> HolderTokenAsync(string idType, string idNumber, string name)
    {
        using var http = Factory.CreateClient();
        using var response = await http.PostAsJsonAsync("/api/dev/holder-tokens", new { idType, idNumber, name });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("access_token").GetString()!;
    }
}

[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<ApiFixture>
{
    public const string Name = "api";
}
