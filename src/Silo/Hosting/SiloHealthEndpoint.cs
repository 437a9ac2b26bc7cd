using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace OrleansLicenses.Silo.Hosting;

/// <summary>
/// A plain-HTTP answer for the orchestrator's probes (<c>Health:Url</c>, an <see cref="HttpListener"/> prefix such as
/// <c>http://+:8080/</c>; unset: no listener): <c>GET /health/live</c> is 200 while the process answers, and
/// <c>GET /health/ready</c> is 200 only while this silo is Active in the cluster (503 while it joins or shuts down),
/// so a rolling update waits for a new silo to join before it stops the next one. It tells nothing else.
/// </summary>
public sealed partial class SiloHealthEndpoint(string url, Func<bool> isActive, ILogger<SiloHealthEndpoint> logger) : BackgroundService
{
    public const string UrlSetting = "Health:Url";

    private readonly HttpListener _listener = new() { Prefixes = { url } };

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Listening before the silo starts: a probe during the join sees 503, not a refused connection.
        _listener.Start();
        LogListening(logger, url);
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _listener.Stop();
        await base.StopAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _listener.Close();
        base.Dispose();
    }

    /// <summary>The status code for a request path.</summary>
    public static HttpStatusCode StatusFor(string method, string? path, bool active) => (method, path) switch
    {
        ("GET" or "HEAD", "/health/live") => HttpStatusCode.OK,
        ("GET" or "HEAD", "/health/ready") => active ? HttpStatusCode.OK : HttpStatusCode.ServiceUnavailable,
        ("GET" or "HEAD", _) => HttpStatusCode.NotFound,
        _ => HttpStatusCode.MethodNotAllowed,
    };

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().WaitAsync(stoppingToken);
            }
            catch (Exception e) when (e is OperationCanceledException or HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            Answer(context);
        }
    }

    private void Answer(HttpListenerContext context)
    {
        var status = StatusFor(context.Request.HttpMethod, context.Request.Url?.AbsolutePath, isActive());
        context.Response.StatusCode = (int)status;
        context.Response.ContentType = "text/plain";
        var body = System.Text.Encoding.ASCII.GetBytes(status == HttpStatusCode.OK ? "ok\n" : status.ToString() + "\n");
        context.Response.ContentLength64 = context.Request.HttpMethod == "HEAD" ? 0 : body.Length;
        if (context.Request.HttpMethod != "HEAD")
        {
            context.Response.OutputStream.Write(body);
        }

        context.Response.Close();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Silo health endpoint listening on {Url}")]
    private static partial void LogListening(ILogger logger, string url);
}
