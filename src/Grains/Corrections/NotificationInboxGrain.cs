namespace OrleansLicenses.Corrections;

/// <summary>
/// A recipient's notification inbox: marks its records read. The records themselves are written by the step that
/// produced them (in its transaction); lists are read-model queries of the API host.
/// </summary>
public sealed class NotificationInboxGrain(CorrectionStore store, TimeProvider time) : Grain, INotificationInboxGrain
{
    Task<bool> INotificationInboxGrain.MarkReadAsync(Guid notificationId) =>
        store.MarkReadAsync(this.GetPrimaryKeyString(), notificationId, time.GetUtcNow());
}
