using System.Net;
using System.Threading.Channels;

namespace OrleansLicenses.Tests.Webhooks;

/// <summary>
/// An outside system's endpoint on 127.0.0.1 and a free port: records every POST (headers and exact body) and answers
/// with the status <see cref="Respond"/> picks for the n-th request (1-based). Tests await requests with a bound.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly HttpListener listener = new();
    private readonly Channel<Received> received = Channel.CreateUnbounded<Received>();
    private readonly Task loop;
    private int count;

    public sealed record Received(int Number, byte[] Body, string? Signature, string? Timestamp, string? Delivery, string? ContentType, HttpStatusCode Answered);

    public WebhookReceiver(Func<int, HttpStatusCode> respond)
    {
        Respond = respond;
        var port = Ports.Free();
        Url = $"http://127.0.0.1:{port}/hooks/ol/";
        listener.Prefixes.Add(Url);
        listener.Start();
        loop = Task.Run(ServeAsync);
    }

    /// <summary>The status of the n-th request; may be replaced while running (e.g. "succeed from now on").</summary>
    public Func<int, HttpStatusCode> Respond { get; set; }

    public string Url { get; }

    /// <summary>Requests received so far.</summary>
    public int Count => Volatile.Read(ref count);

    /// <summary>The next request, or a failure after <paramref name="timeout"/>.</summary>
    public async Task<Received> NextAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            return await received.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no webhook request arrived at {Url} within {timeout}");
        }
    }

    private async Task ServeAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            var number = Interlocked.Increment(ref count);
            var status = Respond(number);
            context.Response.StatusCode = (int)status;
            context.Response.Close();
            received.Writer.TryWrite(new Received(number, body.ToArray(), context.Request.Headers["X-OL-Signature"], context.Request.Headers["X-OL-Timestamp"],
                context.Request.Headers["X-OL-Delivery"], context.Request.ContentType, status));
        }
    }

    public async ValueTask DisposeAsync()
    {
        listener.Stop();
        listener.Close();
        await loop;
    }
}
