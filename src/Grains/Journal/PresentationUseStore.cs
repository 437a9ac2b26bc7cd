using Npgsql;
using OrleansLicenses.Hosting;

namespace OrleansLicenses.Journal;

/// <summary>
/// What the use archive says about one presentation token: the unit that used it and how many accepted uses it had.
/// Read only by a licence activation that started after the token was made and so may have missed its uses
/// (schema: <c>deploy/sql/0024_license_uses_presentation.sql</c>).
/// </summary>
public sealed class PresentationUseStore(NpgsqlDataSource dataSource)
{
    public async Task<(string? UnitCode, int Uses)> FindAsync(string presentationId)
    {
        try
        {
            await using var cmd = dataSource.CreateCommand("""
                SELECT min(unit_code), count(*)::int FROM license_uses WHERE presentation_id = $1
                """);
            cmd.Parameters.AddWithValue(presentationId);
            await using var reader = await cmd.ExecuteReaderAsync();
            await reader.ReadAsync();
            return (reader.IsDBNull(0) ? null : reader.GetString(0), reader.GetInt32(1));
        }
        catch (NpgsqlException e)
        {
            throw StorageFailures.Unavailable(e);
        }
    }
}
