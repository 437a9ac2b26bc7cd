using Npgsql;
using OrleansLicenses.Errors;
using OrleansLicenses.Hosting;
using OrleansLicenses.Holders;
using OrleansLicenses.Licenses;

namespace OrleansLicenses.ReadModel;

/// <summary>
/// The <c>licenses</c> read model: one row per licence (its current version). The row is written by
/// <see cref="LicenseStore"/> in the same transaction as the licence's state, so it is never behind or ahead of it.
/// The stored status is the lifecycle status; expiry and the end of a suspension are applied on read with the
/// current date, as everywhere else.
/// </summary>
public sealed class LicenseReadModel(NpgsqlDataSource dataSource)
{
    /// <summary>The upsert of a licence's row, for the licence's own write transaction.</summary>
    public static NpgsqlBatchCommand Upsert(LicenseState license, LicenseView current)
    {
        var row = new NpgsqlBatchCommand("""
            INSERT INTO licenses (license_number, identifier, version, type_code, issuer_code, region_code, holder_id_type,
                                  holder_id_number, status, valid_from, valid_until, issued_at, updated_at, revision, suspended_until,
                                  origin, identifier_check, legacy_identifier)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, now(), $13, $14, $15, $16, $17)
            ON CONFLICT (license_number) DO UPDATE SET
                identifier = EXCLUDED.identifier, version = EXCLUDED.version, holder_id_type = EXCLUDED.holder_id_type,
                holder_id_number = EXCLUDED.holder_id_number, status = EXCLUDED.status, valid_from = EXCLUDED.valid_from,
                valid_until = EXCLUDED.valid_until, updated_at = now(), revision = EXCLUDED.revision,
                suspended_until = EXCLUDED.suspended_until, identifier_check = EXCLUDED.identifier_check
            """);
        row.Parameters.Add(new NpgsqlParameter<string> { TypedValue = current.LicenseNumber });
        row.Parameters.Add(new NpgsqlParameter<string> { TypedValue = current.Id });
        row.Parameters.Add(new NpgsqlParameter<string> { TypedValue = current.Version });
        row.Parameters.Add(new NpgsqlParameter<string> { TypedValue = license.TypeCode });
        row.Parameters.Add(new NpgsqlParameter<string> { TypedValue = license.IssuerCode });
        row.Parameters.Add(new NpgsqlParameter<string> { TypedValue = license.IssuerRegion });
        row.Parameters.Add(new NpgsqlParameter<string> { TypedValue = current.Holder.IdType });
        row.Parameters.Add(new NpgsqlParameter<string> { TypedValue = current.Holder.IdNumber });
        row.Parameters.Add(new NpgsqlParameter<string> { TypedValue = license.Lifecycle!.Status.ToWireName() });
        row.Parameters.Add(new NpgsqlParameter<DateOnly> { TypedValue = current.ValidFrom });
        row.Parameters.Add(new NpgsqlParameter { Value = current.ValidUntil is { } until ? until : DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Date });
        row.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = license.IssuedAt });
        row.Parameters.Add(new NpgsqlParameter<int> { TypedValue = license.Revision });
        row.Parameters.Add(new NpgsqlParameter
        {
            Value = license.Lifecycle.SuspendedUntil is { } suspendedUntil ? suspendedUntil : DBNull.Value,
            NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Date,
        });
        row.Parameters.Add(new NpgsqlParameter<string> { TypedValue = license.Origin });
        row.Parameters.Add(new NpgsqlParameter<string> { TypedValue = current.IdentifierCheck });
        row.Parameters.Add(new NpgsqlParameter { Value = (object?)license.LegacyIdentifier ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        return row;
    }

    /// <summary>A holder's licences as committed (status as recorded; callers apply the clock), of the given types (null: all).</summary>
    public async Task<IReadOnlyList<HolderLicense>> ListByHolderAsync(string holderKey, IReadOnlyCollection<string>? typeCodes = null)
    {
        var (idType, idNumber) = (holderKey[..3], holderKey[4..]);
        try
        {
            await using var cmd = dataSource.CreateCommand("""
                SELECT license_number, type_code, identifier, status, valid_until, updated_at, suspended_until, valid_from
                FROM licenses WHERE holder_id_type = $1 AND holder_id_number = $2 AND ($3::text[] IS NULL OR type_code = ANY ($3))
                ORDER BY license_number
                """);
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = idType });
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = idNumber });
            cmd.Parameters.Add(new NpgsqlParameter
            {
                Value = typeCodes is null ? DBNull.Value : typeCodes.ToArray(),
                NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text,
            });
            await using var reader = await cmd.ExecuteReaderAsync();
            var list = new List<HolderLicense>();
            while (await reader.ReadAsync())
            {
                list.Add(new HolderLicense(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                    reader.IsDBNull(4) ? null : reader.GetFieldValue<DateOnly>(4), reader.GetFieldValue<DateTimeOffset>(5), Confirmed: true,
                    reader.IsDBNull(6) ? null : reader.GetFieldValue<DateOnly>(6), reader.GetFieldValue<DateOnly>(7)));
            }

            return list;
        }
        catch (NpgsqlException e)
        {
            throw StorageFailures.Unavailable(e);
        }
    }
}
