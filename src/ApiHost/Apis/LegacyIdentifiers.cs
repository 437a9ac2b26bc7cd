using Npgsql;

namespace OrleansLicenses.ApiHost.Apis;

/// <summary>
/// The identifiers of digitized paper licences whose check character is wrong: such an identifier is refused by the
/// strict parse, yet names a licence this library holds (imported as <c>legacy</c>, flagged <c>identifierCheck:
/// "mismatch"</c>, kept verbatim in <c>licenses.legacy_identifier</c>). Asked only for identifiers the strict parse
/// refused for their check character alone; one the library does not hold stays a 400.
/// </summary>
public sealed class LegacyIdentifiers(NpgsqlDataSource db)
{
    public async Task<bool> HoldsAsync(string identifier)
    {
        await using var cmd = db.CreateCommand("SELECT EXISTS (SELECT 1 FROM licenses WHERE legacy_identifier = $1)");
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = identifier });
        return (bool)(await cmd.ExecuteScalarAsync())!;
    }
}
