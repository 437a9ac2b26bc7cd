namespace OrleansLicenses.Hosting;

/// <summary>
/// Grains change their in-memory state and then write it. If the write (or anything between the change and the
/// write) fails, the activation must not keep serving the unsaved change: it is deactivated, so the next call
/// reloads the committed state from PostgreSQL.
/// </summary>
public static class StateWrites
{
    public static async Task WriteOrDeactivateAsync<T>(this IPersistentState<T> state, Grain grain)
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception e)
        {
            Forget(grain, e);
            throw;
        }
    }

    /// <summary>Drops the activation after a failed change; callers rethrow.</summary>
    public static void Forget(Grain grain, Exception reason) =>
        grain.GrainContext.Deactivate(new DeactivationReason(DeactivationReasonCode.ApplicationError, reason, "a change failed before it was stored"), CancellationToken.None);
}
