using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace OrleansLicenses.ApiHost.Infrastructure;

/// <summary>
/// The client address the host uses (lock-out of client credentials, rate limits, the audit trail, the loopback-only
/// development minter) is the TCP peer's, unless that peer is a proxy configured in <c>ForwardedHeaders:KnownProxies</c>
/// (addresses) or <c>ForwardedHeaders:KnownNetworks</c> (CIDR): only then is its <c>X-Forwarded-For</c> (and
/// <c>X-Forwarded-Proto</c>) honoured. ASP.NET Core's defaults (loopback trusted) are cleared, and with nothing configured
/// the middleware is not installed at all, so the headers are ignored: a client cannot choose its own address.
/// </summary>
public static class TrustedProxies
{
    public const string Section = "ForwardedHeaders";

    /// <summary>Installs the forwarded-headers middleware for the configured proxies, if any; call it first in the pipeline.</summary>
    public static IApplicationBuilder UseTrustedProxies(this IApplicationBuilder app, IConfiguration configuration)
    {
        // ASPNETCORE_FORWARDEDHEADERS_ENABLED makes the host trust forwarded headers from any peer: refused.
        if (configuration.GetValue<bool>("FORWARDEDHEADERS_ENABLED"))
        {
            throw new InvalidOperationException(
                "ASPNETCORE_FORWARDEDHEADERS_ENABLED trusts X-Forwarded-For from anyone; configure ForwardedHeaders:KnownProxies or KnownNetworks instead.");
        }

        return Options(configuration) is { } options ? app.UseForwardedHeaders(options) : app;
    }

    /// <summary>The options for the configured proxies, or null when none is configured.</summary>
    public static ForwardedHeadersOptions? Options(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        var proxies = List(section.GetSection("KnownProxies"));
        var networks = List(section.GetSection("KnownNetworks"));
        if (proxies.Count == 0 && networks.Count == 0)
        {
            return null;
        }

        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto,
            // One proxy in front by default: only the address it appended is taken; a chain names each hop as known.
            ForwardLimit = section.GetValue<int?>("ForwardLimit") ?? 1,
        };
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var proxy in proxies)
        {
            options.KnownProxies.Add(IPAddress.TryParse(proxy, out var address) ? address
                : throw new InvalidOperationException($"{Section}:KnownProxies: '{proxy}' is not an IP address."));
        }

        foreach (var network in networks)
        {
            options.KnownIPNetworks.Add(System.Net.IPNetwork.TryParse(network, out var parsed) ? parsed
                : throw new InvalidOperationException($"{Section}:KnownNetworks: '{network}' is not a CIDR network (e.g. 10.0.0.0/8)."));
        }

        return options;
    }

    /// <summary>A list as configuration gives it: array entries (<c>KnownProxies:0</c>) or one comma-separated value.</summary>
    private static List<string> List(IConfigurationSection section) =>
        [.. (section.Value ?? "").Split(',').Concat(section.GetChildren().Select(c => c.Value ?? ""))
            .Select(v => v.Trim()).Where(v => v.Length > 0)];
}
