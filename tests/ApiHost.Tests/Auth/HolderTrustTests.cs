using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OrleansLicenses.ApiHost.Auth;
using OrleansLicenses.Tests.Infrastructure;
using OrleansLicenses.Tests.Licenses;

namespace OrleansLicenses.Tests.Auth;

/// <summary>
/// Holder identity cannot be minted: holder tokens are trusted only under the real-name platform's public key
/// (asymmetric, with an age limit), and the development minter exists only on a Development host that cannot
/// stand next to real identities (loopback, no real holder key), answers loopback callers only, and audits each mint.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class HolderTrustTests(ApiFixture fixture)
{
    private DateTime Now => fixture.Clock.GetUtcNow().UtcDateTime;

    private string HolderToken(SigningCredentials credentials, DateTime? issuedAt, DateTime expires, Dictionary<string, object>? extra = null)
    {
        var claims = new Dictionary<string, object> { ["sub"] = $"001:{LicenseApiTests.NewCompany()}", ["id_type"] = "001", ["name"] = "示例" };
        claims["id_number"] = ((string)claims["sub"])[4..];
        foreach (var (key, value) in extra ?? [])
        {
            claims[key] = value;
        }

        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        return handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "hlj-realname",
            Audience = "orleans-licenses-api",
            IssuedAt = issuedAt,
            Expires = expires,
            Claims = claims,
            SigningCredentials = credentials,
        });
    }

    private static SigningCredentials Es256(string pem)
    {
        var ec = ECDsa.Create();
        ec.ImportFromPem(pem);
        return new SigningCredentials(new ECDsaSecurityKey(ec), SecurityAlgorithms.EcdsaSha256);
    }

    private static async Task<HttpStatusCode> MyLicenses(HttpClient http, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/me/licenses");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task HolderTokens_AreTrustedOnlyAsymmetrically_WithAnIatWithinTheAgeLimit()
    {
        using var http = fixture.Anonymous();
        var trusted = Es256(fixture.HolderDevKeyPem);
        Assert.Equal(HttpStatusCode.OK, await MyLicenses(http, HolderToken(trusted, Now, Now.AddMinutes(5))));

        // A shared secret (HS256), whatever the secret: refused, there is no symmetric holder key to check it with.
        var secret = new SigningCredentials(new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)), SecurityAlgorithms.HmacSha256);
        Assert.Equal(HttpStatusCode.Unauthorized, await MyLicenses(http, HolderToken(secret, Now, Now.AddMinutes(5))));
        // Another EC key: refused.
        Assert.Equal(HttpStatusCode.Unauthorized, await MyLicenses(http, HolderToken(Es256(ApiFixture.NewEcKeyPem()), Now, Now.AddMinutes(5))));
        // No iat, or an iat older than the maximum age (60 minutes) although the issuer gave it a day: refused.
        Assert.Equal(HttpStatusCode.Unauthorized, await MyLicenses(http, HolderToken(trusted, null, Now.AddMinutes(5))));
        Assert.Equal(HttpStatusCode.Unauthorized, await MyLicenses(http, HolderToken(trusted, Now.AddMinutes(-61), Now.AddDays(1))));
        // An iat in the future: refused.
        Assert.Equal(HttpStatusCode.Unauthorized, await MyLicenses(http, HolderToken(trusted, Now.AddMinutes(10), Now.AddMinutes(20))));
    }

    [Fact]
    public async Task HolderToken_ClaimingAdminRoleUnitAndRegion_IsStillOnlyAHolder()
    {
        var token = HolderToken(Es256(fixture.HolderDevKeyPem), Now, Now.AddMinutes(5), new()
        {
            ["role"] = "admin", ["unit"] = Demo.HarbinCentre, ["region"] = "230100", ["client_id"] = "admin",
        });
        using var http = fixture.Anonymous();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync("/api/clients/admin")).StatusCode);
        // Not a verifier of the unit it names either.
        Assert.Equal(HttpStatusCode.Forbidden, (await http.PostAsJsonAsync("/api/verifications/holder-licenses", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/me/licenses")).StatusCode);
    }

    [Fact]
    public async Task DevMinter_AuditsEachMint_AndAnswersOnlyLocalCallers()
    {
        var company = LicenseApiTests.NewCompany();
        using (var http = fixture.Anonymous())
        {
            using var minted = await http.PostAsJsonAsync("/api/dev/holder-tokens", new { idType = "001", idNumber = company, name = "示例" });
            Assert.Equal(HttpStatusCode.OK, minted.StatusCode);
        }

        var audited = await fixture.ScalarAsync(
            "SELECT count(*) FROM audit_records WHERE action = 'MintHolderToken' AND outcome = 'succeeded' AND resource LIKE '/api/dev/holder-tokens?holder=001:%'");
        Assert.True((long)audited! >= 1);

        // The same host, reached from another machine: the minter is not there for it.
        using var remote = fixture.Factory.WithWebHostBuilder(web => web.ConfigureTestServices(services =>
            services.AddSingleton<IStartupFilter>(new RemoteAddress(IPAddress.Parse("10.1.2.3")))));
        using var client = remote.CreateClient();
        using var refused = await client.PostAsJsonAsync("/api/dev/holder-tokens", new { idType = "001", idNumber = company, name = "示例" });
        await ProblemAssert.IsProblem(refused, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ProductionHost_HasNoMinter_RefusesDevMintedTokens_AndTrustsTheRealNamePlatformsPublicKey()
    {
        var realName = ApiFixture.NewEcKeyPem();
        string publicPem;
        using (var ec = ECDsa.Create())
        {
            ec.ImportFromPem(realName);
            publicPem = ec.ExportSubjectPublicKeyInfoPem();
        }

        var devMinted = await fixture.HolderTokenAsync("001", LicenseApiTests.NewCompany(), "示例");
        using var production = fixture.Factory.WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Production");
            web.UseSetting("Auth:Holder:DevKeyPem", "");
            web.UseSetting("Auth:Holder:PublicKeyPem", publicPem);
            web.UseSetting("Presentations:SigningKey", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            web.UseSetting("Audit:CheckpointKey", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            web.UseSetting("Orleans:Tls:Disabled", "true"); // the fixture's silos are on loopback without TLS
        });
        using var http = production.CreateClient();

        using var mint = await http.PostAsJsonAsync("/api/dev/holder-tokens", new { idType = "001", idNumber = LicenseApiTests.NewCompany(), name = "示例" });
        Assert.Equal(HttpStatusCode.NotFound, mint.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await MyLicenses(http, devMinted));
        Assert.Equal(HttpStatusCode.Unauthorized, await MyLicenses(http, HolderToken(Es256(fixture.HolderDevKeyPem), Now, Now.AddMinutes(5))));
        Assert.Equal(HttpStatusCode.OK, await MyLicenses(http, HolderToken(Es256(realName), Now, Now.AddMinutes(5))));
    }

    [Theory]
    [InlineData("Development", "Auth:Holder:PublicKeyPem", "public", "real-name platform's key")] // the minter next to real identities
    [InlineData("Development", "urls", "http://0.0.0.0:5000", "loopback only")]
    [InlineData("Development", "Kestrel:Endpoints:Http:Url", "http://10.0.0.5:8080", "loopback only")]
    [InlineData("Development", "Auth:Holder:SigningKey", "c2hhcmVkLXNlY3JldC1zaGFyZWQtc2VjcmV0LXNoYXJlZA==", "HS256")]
    [InlineData("Production", "Auth:Holder:SigningKey", "c2hhcmVkLXNlY3JldC1zaGFyZWQtc2VjcmV0LXNoYXJlZA==", "HS256")]
    [InlineData("Production", "Auth:Holder:DevKeyPem", "dev", "development key")]
    [InlineData("Production", "Auth:Holder:PublicKeyPem", "private", "must be a public key")]
    [InlineData("Production", "none", "", "must be configured outside Development")]
    public void HostsThatCouldMintACitizen_RefuseToStart(string environment, string setting, string value, string message)
    {
        var pem = ApiFixture.NewEcKeyPem();
        var settings = new HolderTokenSettings();
        var configuration = new Dictionary<string, string?>();
        switch (setting)
        {
            case "Auth:Holder:PublicKeyPem":
                settings.PublicKeyPem = value == "private" ? pem : PublicOf(pem);
                break;
            case "Auth:Holder:SigningKey":
                settings.SigningKey = value;
                break;
            case "Auth:Holder:DevKeyPem":
                settings.DevKeyPem = pem;
                break;
            case "none":
                break;
            default:
                configuration[setting] = value;
                break;
        }

        var error = Assert.Throws<InvalidOperationException>(() => new HolderTrust(settings, Config(configuration), new Environment(environment)));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoopbackBinds_AreFineForTheMinter_AndAProductionHostTrustsOnlyItsConfiguredKey()
    {
        var development = new HolderTrust(new HolderTokenSettings(),
            Config(new() { ["urls"] = "http://127.0.0.1:5000;http://localhost:5001;http://[::1]:5002" }), new Environment("Development"));
        Assert.NotNull(development.DevSigningKey);

        var production = new HolderTrust(new HolderTokenSettings { PublicKeyPem = PublicOf(ApiFixture.NewEcKeyPem()) }, Config([]), new Environment("Production"));
        Assert.Null(production.DevSigningKey);
        Assert.IsType<ECDsaSecurityKey>(Assert.Single(production.Keys));
    }

    private static string PublicOf(string privatePem)
    {
        using var ec = ECDsa.Create();
        ec.ImportFromPem(privatePem);
        return ec.ExportSubjectPublicKeyInfoPem();
    }

    private static IConfiguration Config(Dictionary<string, string?> values) => new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    private sealed class Environment(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;
        public string ApplicationName { get; set; } = "tests";
        public string ContentRootPath { get; set; } = "/";
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }

    /// <summary>Makes in-memory requests look as if they came from <paramref name="address"/>.</summary>
    private sealed class RemoteAddress(IPAddress address) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((HttpContext http, RequestDelegate inner) =>
            {
                http.Connection.RemoteIpAddress = address;
                return inner(http);
            });
            next(app);
        };
    }
}
