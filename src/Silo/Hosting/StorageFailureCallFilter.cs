using OrleansLicenses.Hosting;

namespace OrleansLicenses.Silo.Hosting;

/// <summary>
/// Every grain call: a storage failure that escapes a grain (the ADO.NET grain storage, reminders, a grain's own
/// query) leaves the silo as <see cref="Errors.ServiceUnavailableException"/>. Orleans cannot serialize the driver's
/// exceptions; without this the API host would get a codec error and answer 500 for what is a transient fault.
/// </summary>
public sealed class StorageFailureCallFilter : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        try
        {
            await context.Invoke();
        }
        catch (Exception e) when (StorageFailures.IsStorageFailure(e))
        {
            throw StorageFailures.Unavailable(e);
        }
    }
}
