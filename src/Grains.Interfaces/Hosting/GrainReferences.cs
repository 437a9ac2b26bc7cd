namespace OrleansLicenses.Hosting;

/// <summary>
/// Grain references on the hot paths without the cost Orleans 10.4.2 charges for <c>GetGrain&lt;T&gt;(key)</c>: it
/// resolves the interface's grain type through its attributes (reflection) on every call. The grain type and
/// interface type of a grain interface are resolved once, by one ordinary call, and reused.
/// </summary>
public static class GrainReferences
{
    public static TGrain Get<TGrain>(this IGrainFactory factory, string key) where TGrain : IGrainWithStringKey
    {
        if (Resolved<TGrain>.Types is not { } types)
        {
            var first = factory.GetGrain<TGrain>(key);
            var reference = (GrainReference)(object)first;
            Resolved<TGrain>.Types = new GrainTypes(reference.GrainId.Type, reference.InterfaceType);
            return first;
        }

        return (TGrain)factory.GetGrain(GrainId.Create(types.Type, key), types.Interface);
    }

    // The mapping from interface to grain type is fixed by the assemblies, the same for every factory in a process.
    // A class, not a nullable tuple: threads that race on the first call then see a whole reference, never a torn struct.
    private static class Resolved<TGrain>
    {
        public static GrainTypes? Types { get; set; }
    }

    private sealed record GrainTypes(GrainType Type, GrainInterfaceType Interface);
}
