using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace OrleansLicenses.Sync;

/// <summary>A push or digest request the upper library did not answer with success (retried with backoff).</summary>
public sealed class UpstreamUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// HTTP to the upper library: a token from its client-credentials endpoint for this library's sync client (kept until
/// shortly before it expires, dropped on a 401), <c>POST /api/sync/batches</c> and <c>GET /api/sync/digest</c>.
/// </summary>
public sealed class UpstreamClient(IHttpClientFactory httpClients, TimeProvider time)
{
    public const string HttpClientName = "upstream";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly SemaphoreSlim tokenLock = new(1, 1);
    private (string Key, string Token, DateTimeOffset Until)? token;

    public async Task<SyncBatchResult> PushAsync(UpstreamOptions options, SyncBatch batch, CancellationToken ct)
    {
        using var response = await SendAsync(options, () => new HttpRequestMessage(HttpMethod.Post, "api/sync/batches")
        {
            Content = JsonContent.Create(batch, options: Json),
        }, ct);
        return await response.Content.ReadFromJsonAsync<SyncBatchResult>(Json, ct)
            ?? throw new UpstreamUnavailableException("the upper library answered an empty batch result");
    }

    public async Task<SyncDigest> DigestAsync(UpstreamOptions options, string issuer, DateOnly? from, DateOnly? to, bool leaves, CancellationToken ct)
    {
        var query = $"api/sync/digest?issuer={Uri.EscapeDataString(issuer)}"
            + (from is { } f ? $"&from={f:yyyy-MM-dd}" : "") + (to is { } t ? $"&to={t:yyyy-MM-dd}" : "") + (leaves ? "&leaves=true" : "");
        using var response = await SendAsync(options, () => new HttpRequestMessage(HttpMethod.Get, query), ct);
        return await response.Content.ReadFromJsonAsync<SyncDigest>(Json, ct)
            ?? throw new UpstreamUnavailableException("the upper library answered an empty digest");
    }

    private async Task<HttpResponseMessage> SendAsync(UpstreamOptions options, Func<HttpRequestMessage> request, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.RequestTimeout);
        try
        {
            var http = Client(options);
            using var message = request();
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(http, options, timeout.Token));
            var response = await http.SendAsync(message, timeout.Token);
            if (response.IsSuccessStatusCode)
            {
                return response;
            }

            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                token = null; // disabled client, rotated secret, or a key change upstream: ask again next time
            }

            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            response.Dispose();
            throw new UpstreamUnavailableException($"the upper library answered {(int)response.StatusCode}: {body[..Math.Min(300, body.Length)]}");
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            throw new UpstreamUnavailableException($"the upper library is unreachable: {e.Message}", e);
        }
    }

    private HttpClient Client(UpstreamOptions options)
    {
        var http = httpClients.CreateClient(HttpClientName);
        var baseUrl = options.BaseUrl!.EndsWith('/') ? options.BaseUrl : options.BaseUrl + "/";
        http.BaseAddress = new Uri(baseUrl);
        return http;
    }

    private async Task<string> TokenAsync(HttpClient http, UpstreamOptions options, CancellationToken ct)
    {
        var secret = options.Secret() ?? throw new UpstreamUnavailableException("no upstream client secret configured (Upstream:ClientSecret or Upstream:ClientSecretFile)");
        var key = $"{options.BaseUrl}\n{options.ClientId}\n{secret}";
        var now = time.GetUtcNow();
        if (token is { } cached && cached.Key == key && cached.Until > now)
        {
            return cached.Token;
        }

        await tokenLock.WaitAsync(ct);
        try
        {
            using var response = await http.PostAsync("api/auth/token", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = options.ClientId ?? "",
                ["client_secret"] = secret,
            }), ct);
            if (!response.IsSuccessStatusCode)
            {
                throw new UpstreamUnavailableException($"the upper library refused the sync client's credentials ({(int)response.StatusCode})");
            }

            var body = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
            var value = body.GetProperty("access_token").GetString()!;
            var lifetime = TimeSpan.FromSeconds(body.TryGetProperty("expires_in", out var e) ? e.GetInt32() : 300);
            token = (key, value, now + lifetime * 0.8);
            return value;
        }
        finally
        {
            tokenLock.Release();
        }
    }
}
