using System.Text.Json;
using OrleansLicenses.Licenses;

namespace OrleansLicenses.Sync;

/// <summary>
/// The lifecycle a change left, as the change feed keeps it (<c>license_changes.snapshot</c>): the wire form
/// (<see cref="SyncLifecycle"/>) in JSON, so the pusher hands it upward unchanged.
/// </summary>
public static class FeedSnapshot
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string ToJson(Lifecycle lifecycle) => JsonSerializer.Serialize(Of(lifecycle), Json);

    public static SyncLifecycle Of(Lifecycle l) =>
        new(l.ValidFrom, l.ValidUntil, l.SuspendedUntil, l.Mortgaged, l.Pledged, l.LastInspectionDate, l.LastInspectionResult, l.StatusReason);

    /// <summary>
    /// The row's snapshot; for a row written before snapshots existed, the validity of its signed document and no
    /// annotations (its status travels separately).
    /// </summary>
    public static SyncLifecycle Read(string? snapshot, string canonical)
    {
        if (snapshot is not null && JsonSerializer.Deserialize<SyncLifecycle>(snapshot, Json) is { } stored)
        {
            return stored;
        }

        using var document = JsonDocument.Parse(canonical);
        var root = document.RootElement;
        var from = DateOnly.Parse(root.GetProperty("validFrom").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        DateOnly? until = root.TryGetProperty("validUntil", out var u) && u.ValueKind == JsonValueKind.String
            ? DateOnly.Parse(u.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : null;
        return new SyncLifecycle(from, until, null, false, false);
    }
}
