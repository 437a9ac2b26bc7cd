using System.Net;
using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace OrleansLicenses.ApiHost.Auth;

/// <summary>
/// Which holder tokens the platform trusts. Holder identity comes from the province's real-name platform, and the
/// platform holds only that platform's PUBLIC key (<c>Auth:Holder:PublicKeyPem</c>, EC P-256/P-384 or RSA, or a JWKS
/// document in <c>Auth:Holder:Jwks</c>): nothing in this deployment's configuration can mint a citizen. Symmetric
/// (HS256) holder keys are refused outright.
/// <para>
/// For local use and tests a Development host instead runs the development minter (<c>POST /api/dev/holder-tokens</c>)
/// with a key of its own (<c>Auth:Holder:DevKeyPem</c>, an EC private key, or one made per process). That key is
/// trusted only by a Development host, and a Development host refuses to start at all when a real holder key is
/// configured or when it would listen on anything but loopback, so the minter can never stand next to real identities.
/// A non-Development host refuses to start with a development key configured.
/// </para>
/// </summary>
public sealed class HolderTrust
{
    /// <summary>Signature algorithms accepted on holder tokens: asymmetric only.</summary>
    public static readonly IReadOnlyList<string> Algorithms =
    [
        SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSsaPssSha256,
    ];

    public HolderTrust(HolderTokenSettings settings, IConfiguration configuration, IHostEnvironment environment)
    {
        if (!string.IsNullOrWhiteSpace(settings.SigningKey))
        {
            throw new InvalidOperationException(
                "Auth:Holder:SigningKey (a shared HS256 secret) is refused: whoever holds it can mint any citizen. Configure the real-name "
                + "platform's public key (Auth:Holder:PublicKeyPem or Auth:Holder:Jwks).");
        }

        var production = ProductionKeys(settings);
        if (!environment.IsDevelopment())
        {
            if (!string.IsNullOrWhiteSpace(settings.DevKeyPem))
            {
                throw new InvalidOperationException("Auth:Holder:DevKeyPem is a development key; a non-Development host refuses it.");
            }

            Keys = production.Count > 0 ? production
                : throw new InvalidOperationException("Auth:Holder:PublicKeyPem or Auth:Holder:Jwks must be configured outside Development.");
            return;
        }

        if (production.Count > 0)
        {
            throw new InvalidOperationException(
                "A Development host runs the development holder-token minter and refuses to start with the real-name platform's key "
                + "configured (Auth:Holder:PublicKeyPem / Jwks): run it as Production, or remove the key.");
        }

        var listening = NonLoopbackUrls(configuration).ToList();
        if (listening.Count > 0)
        {
            throw new InvalidOperationException(
                $"A Development host runs the development holder-token minter and listens on loopback only; configured: {string.Join(", ", listening)}.");
        }

        var ec = ECDsa.Create();
        if (string.IsNullOrWhiteSpace(settings.DevKeyPem))
        {
            ec.GenerateKey(ECCurve.NamedCurves.nistP256);
        }
        else
        {
            ec.ImportFromPem(settings.DevKeyPem);
        }

        DevSigningKey = new ECDsaSecurityKey(ec) { KeyId = "dev-minter" };
        Keys = [DevSigningKey];
    }

    /// <summary>The keys holder tokens are validated with.</summary>
    public IReadOnlyList<SecurityKey> Keys { get; }

    /// <summary>The development minter's key; null when the host is not a Development host (there is no minter).</summary>
    public ECDsaSecurityKey? DevSigningKey { get; }

    /// <summary>An in-process connection (no remote address) or a loopback one: the only callers the minter answers.</summary>
    public static bool IsLocal(HttpContext http) =>
        http.Connection.RemoteIpAddress is not { } address || Infrastructure.ClientNetwork.IsLoopback(address);

    private static List<SecurityKey> ProductionKeys(HolderTokenSettings settings)
    {
        var keys = new List<SecurityKey>();
        if (!string.IsNullOrWhiteSpace(settings.PublicKeyPem))
        {
            keys.Add(FromPem(settings.PublicKeyPem));
        }

        if (!string.IsNullOrWhiteSpace(settings.Jwks))
        {
            keys.AddRange(new JsonWebKeySet(settings.Jwks).GetSigningKeys().Where(k => k is not SymmetricSecurityKey));
        }

        return keys;
    }

    private static SecurityKey FromPem(string pem)
    {
        if (pem.Contains("PRIVATE KEY", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("Auth:Holder:PublicKeyPem must be a public key: the platform never holds the real-name platform's private key.");
        }

        try
        {
            var ec = ECDsa.Create();
            ec.ImportFromPem(pem);
            return new ECDsaSecurityKey(ec);
        }
        catch (CryptographicException)
        {
            var rsa = RSA.Create();
            rsa.ImportFromPem(pem);
            return new RsaSecurityKey(rsa);
        }
    }

    /// <summary>Configured listening URLs (urls / ASPNETCORE_URLS, Kestrel endpoints) whose host is not loopback.</summary>
    private static IEnumerable<string> NonLoopbackUrls(IConfiguration configuration)
    {
        var urls = (configuration["urls"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Concat(configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"]).OfType<string>());
        foreach (var url in urls)
        {
            var host = url.Split("://", 2) is [_, var rest] ? rest.Split('/')[0] : url;
            host = host.StartsWith('[') ? host[1..host.IndexOf(']', StringComparison.Ordinal)] : host.Split(':')[0];
            var loopback = host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
                || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));
            if (!loopback)
            {
                yield return url;
            }
        }
    }
}
