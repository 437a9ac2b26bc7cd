using Npgsql;
using OrleansLicenses.Catalog;
using OrleansLicenses.Hosting;

namespace OrleansLicenses.ApiHost.Copies;

/// <summary>What a copy needs beyond the use record: the catalogue's element names and the using unit's name.</summary>
public sealed class CopySources(IClusterClient cluster, NpgsqlDataSource db)
{
    public Task<LicenseTypeView?> TypeAsync(string typeCode) => cluster.Get<ILicenseTypeGrain>(typeCode).GetAsync();

    public async Task<string?> UnitNameAsync(string unitCode, CancellationToken cancellation)
    {
        await using var cmd = db.CreateCommand("SELECT name FROM units WHERE unit_code = $1");
        cmd.Parameters.AddWithValue(unitCode);
        return await cmd.ExecuteScalarAsync(cancellation) as string;
    }
}
