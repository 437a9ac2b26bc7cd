using System.Reflection;
using OrleansLicenses.Errors;
using OrleansLicenses.Hosting;

namespace OrleansLicenses.Silo.Hosting;

/// <summary>
/// Refuses calls to <see cref="SiloInternalAttribute">silo-internal</see> grain interfaces that come from an Orleans
/// client outside the cluster (the API host, or anyone else who reached a gateway). Calls from grains, and from the
/// silo's own hosted client (silo services calling outside a grain turn), pass.
/// </summary>
public sealed class SiloInternalCallFilter : IIncomingGrainCallFilter
{
    // Every grain call passes here: the attribute is looked up once per interface, not per call.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, bool> Internal = new();

    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.InterfaceMethod?.DeclaringType is { } type
            && Internal.GetOrAdd(type, t => t.GetCustomAttribute<SiloInternalAttribute>() is not null)
            && IsExternalClient(context.SourceId))
        {
            throw DomainException.Forbidden("cluster.internal_only", $"{context.InterfaceName} is callable from inside the silos only.");
        }

        return context.Invoke();
    }

    // Clients are grain ids of type "sys.client"; a silo's own hosted client is keyed "hosted-<silo address>".
    internal static bool IsExternalClient(GrainId? source) =>
        source is { } id && id.Type.ToString() == "sys.client" && !id.Key.ToString().StartsWith("hosted-", StringComparison.Ordinal);
}
