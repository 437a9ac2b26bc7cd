using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;
using OrleansLicenses.Client;

namespace OrleansLicenses.GeneratedClient;

/// <summary>The generated client for one caller: its requests go to the platform with that caller's bearer token.</summary>
public sealed class PlatformClient : IDisposable
{
    private readonly HttpClientRequestAdapter adapter;

    public PlatformClient(string baseUrl, string token)
    {
        var platform = new Uri(baseUrl);
        // The platform's base URL, without the trailing slash Kiota's "{+baseurl}/api/..." templates would double.
        adapter = new HttpClientRequestAdapter(new BaseBearerTokenAuthenticationProvider(new StaticToken(token, platform.Host)))
        {
            BaseUrl = platform.GetLeftPart(UriPartial.Authority),
        };
        Client = new LicensesClient(adapter);
    }

    public LicensesClient Client { get; }

    public void Dispose() => adapter.Dispose();

    /// <summary>A token minted beforehand, sent to the platform's host only.</summary>
    private sealed class StaticToken(string token, string host) : IAccessTokenProvider
    {
        public AllowedHostsValidator AllowedHostsValidator { get; } = new([host]);

        public Task<string> GetAuthorizationTokenAsync(Uri uri, Dictionary<string, object>? additionalAuthenticationContext = null,
            CancellationToken cancellationToken = default) => Task.FromResult(token);
    }
}
