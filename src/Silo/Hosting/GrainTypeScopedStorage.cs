using Orleans.Storage;
using OrleansLicenses.Hosting;

namespace OrleansLicenses.Silo.Hosting;

/// <summary>
/// Makes the ADO.NET grain storage key really include the grain type, and keeps string keys verbatim.
/// In 10.4.2 the provider's "grain type" argument is only the state name, and it reduces the grain id to its
/// key, so two grain classes with the same key and state name would share one row (dotnet/orleans #9737).
/// It also parses string keys that look like hex numbers or GUIDs as numbers ("a" and "A" would collide).
/// This wrapper stores under "{grainType}/{stateName}" and prefixes string keys with '~', which neither a hex
/// number nor a GUID can start with. Our state names are distinct per grain type as well.
/// A database failure leaves it as <see cref="Errors.ServiceUnavailableException"/>: also when it happens while a grain
/// activates (reading its state), where no grain-call filter sees it and the driver's exception would reach the API
/// host as a serialization failure (a 500).
/// </summary>
public sealed class GrainTypeScopedStorage(IGrainStorage inner) : IGrainStorage
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var (name, id) = Scope(stateName, grainId);
        return Translate(inner.ReadStateAsync(name, id, grainState));
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var (name, id) = Scope(stateName, grainId);
        return Translate(inner.WriteStateAsync(name, id, grainState));
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var (name, id) = Scope(stateName, grainId);
        return Translate(inner.ClearStateAsync(name, id, grainState));
    }

    private static async Task Translate(Task operation)
    {
        try
        {
            await operation;
        }
        catch (Exception e) when (StorageFailures.IsStorageFailure(e))
        {
            throw StorageFailures.Unavailable(e);
        }
    }

    private static (string Name, GrainId Id) Scope(string stateName, GrainId grainId) =>
        ($"{grainId.Type}/{stateName}", GrainId.Create(grainId.Type, IdSpan.Create("~" + grainId.Key)));
}
