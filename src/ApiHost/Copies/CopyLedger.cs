using System.Security.Cryptography;
using Npgsql;

namespace OrleansLicenses.ApiHost.Copies;

/// <summary>
/// Appends one row per PDF copy served to the use archive (<c>license_use_copies</c>, migration 0034): the SHA-256
/// of the exact bytes, so a printed copy can be checked later. The row commits before the copy is answered; a copy
/// whose row could not be written is not served.
/// </summary>
public sealed class CopyLedger(NpgsqlDataSource db, TimeProvider time)
{
    /// <summary>Records the copy and returns its SHA-256 (lower-case hex).</summary>
    public async Task<string> RecordAsync(Guid verificationId, string clientId, string mediaType, byte[] content, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(content);
        var hash = Convert.ToHexStringLower(SHA256.HashData(content));
        await using var cmd = db.CreateCommand("""
            INSERT INTO license_use_copies (id, verification_id, made_at, client_id, media_type, sha256, bytes)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            """);
        cmd.Parameters.AddWithValue(Guid.CreateVersion7());
        cmd.Parameters.AddWithValue(verificationId);
        cmd.Parameters.AddWithValue(time.GetUtcNow());
        cmd.Parameters.AddWithValue(clientId);
        cmd.Parameters.AddWithValue(mediaType);
        cmd.Parameters.AddWithValue(hash);
        cmd.Parameters.AddWithValue(content.Length);
        await cmd.ExecuteNonQueryAsync(cancellation);
        return hash;
    }
}
