using System.Security.Cryptography;
using System.Text;

namespace OrleansLicenses.Webhooks;

/// <summary>
/// The signature of a delivery: <c>X-OL-Signature: sha256=&lt;hex HMAC-SHA256(secret, "&lt;timestamp&gt;." + body)&gt;</c>
/// where the timestamp is the value of <c>X-OL-Timestamp</c> (Unix seconds) and body the exact bytes posted (UTF-8).
/// Signing the timestamp lets a receiver refuse replays of old deliveries.
/// </summary>
public static class WebhookSignature
{
    public const string SignatureHeader = "X-OL-Signature";
    public const string TimestampHeader = "X-OL-Timestamp";
    public const string DeliveryHeader = "X-OL-Delivery";

    public static string Sign(string secret, string timestamp, byte[] body)
    {
        var material = new byte[Encoding.ASCII.GetByteCount(timestamp) + 1 + body.Length];
        var written = Encoding.ASCII.GetBytes(timestamp, material);
        material[written] = (byte)'.';
        body.CopyTo(material, written + 1);
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), material));
    }
}
