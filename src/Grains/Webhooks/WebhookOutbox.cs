using System.Text.Json;
using Npgsql;
using OrleansLicenses.Corrections;

namespace OrleansLicenses.Webhooks;

/// <summary>
/// Queues a unit's notification for webhook delivery in the notification's own transaction: one row in
/// <c>webhook_deliveries</c> when the unit has a webhook at that moment, none otherwise. The body is fixed here, so
/// every attempt posts (and signs) the same bytes.
/// </summary>
public static class WebhookOutbox
{
    private const string UnitPrefix = "unit:";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The JSON posted for one notification (fields may grow).</summary>
    public sealed record Payload(string Id, string Type, string UnitCode, string CorrectionId, string Kind, string Stage, string Message, DateTimeOffset CreatedAt);

    /// <summary>The outbox insert for <paramref name="notification"/>, or null when it is not addressed to a unit.</summary>
    public static NpgsqlBatchCommand? Enqueue(string correctionId, NotificationRow notification)
    {
        if (!notification.Recipient.StartsWith(UnitPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var unit = notification.Recipient[UnitPrefix.Length..];
        var body = JsonSerializer.Serialize(
            new Payload(notification.Id.ToString(), "notification", unit, correctionId, notification.Kind, notification.Stage, notification.Message, notification.At), Json);
        var command = new NpgsqlBatchCommand("""
            INSERT INTO webhook_deliveries (id, unit_code, correction_id, kind, body, status, next_attempt_at, created_at)
            SELECT $1, unit_code, $3, $4, $5, 'pending', $6, $6 FROM unit_webhooks WHERE unit_code = $2
            """);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = notification.Id });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = unit });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = correctionId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = notification.Kind });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = body });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = notification.At });
        return command;
    }
}
