using Npgsql;
using OrleansLicenses.Licenses;

namespace OrleansLicenses.ReadModel;

/// <summary>
/// Projects a licence into the <c>licenses</c> read model after the grain's own write. The stored status is
/// the lifecycle status; expiry is applied by the queries with the current date, as everywhere else.
/// A projection older than the stored one (by revision) is ignored.
/// </summary>
public sealed class LicenseProjection(NpgsqlDataSource dataSource)
{
    public async Task UpsertAsync(LicenseState license, LicenseView current)
    {
        await using var row = dataSource.CreateCommand("""
            INSERT INTO licenses (license_number, identifier, version, type_code, issuer_code, region_code, holder_id_type,
                                  holder_id_number, status, valid_from, valid_until, issued_at, updated_at, revision, suspended_until)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, now(), $13, $14)
            ON CONFLICT (license_number) DO UPDATE SET
                identifier = EXCLUDED.identifier, version = EXCLUDED.version, holder_id_type = EXCLUDED.holder_id_type,
                holder_id_number = EXCLUDED.holder_id_number, status = EXCLUDED.status, valid_from = EXCLUDED.valid_from,
                valid_until = EXCLUDED.valid_until, updated_at = now(), revision = EXCLUDED.revision,
                suspended_until = EXCLUDED.suspended_until
            WHERE licenses.revision < EXCLUDED.revision
            """);
        row.Parameters.AddWithValue(current.LicenseNumber);
        row.Parameters.AddWithValue(current.Id);
        row.Parameters.AddWithValue(current.Version);
        row.Parameters.AddWithValue(license.TypeCode);
        row.Parameters.AddWithValue(license.IssuerCode);
        row.Parameters.AddWithValue(license.IssuerRegion);
        row.Parameters.AddWithValue(current.Holder.IdType);
        row.Parameters.AddWithValue(current.Holder.IdNumber);
        row.Parameters.AddWithValue(license.Lifecycle!.Status.ToWireName());
        row.Parameters.AddWithValue(current.ValidFrom);
        row.Parameters.AddWithValue(current.ValidUntil is { } until ? until : DBNull.Value);
        row.Parameters.AddWithValue(license.IssuedAt);
        row.Parameters.AddWithValue(license.Revision);
        row.Parameters.AddWithValue(license.Lifecycle.SuspendedUntil is { } suspendedUntil ? suspendedUntil : DBNull.Value);
        await row.ExecuteNonQueryAsync();
    }
}
