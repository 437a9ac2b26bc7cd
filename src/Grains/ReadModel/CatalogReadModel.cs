using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using OrleansLicenses.Catalog;
using OrleansLicenses.Units;

namespace OrleansLicenses.ReadModel;

/// <summary>
/// The rows of the catalogue, units and certificates read model. The grain storage writes them in the same transaction
/// as the owning grain's state (<see cref="IReadModelProjector"/>); every statement is an idempotent upsert that never
/// replaces a newer row, so a rebuild may run them again.
/// </summary>
public static class CatalogReadModel
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static NpgsqlBatchCommand TypeRow(LicenseTypeView view)
    {
        var d = view.Definition;
        var cmd = new NpgsqlBatchCommand("""
            INSERT INTO catalog_types (type_code, name, defining_authority, holder_category, public_disclosure, sensitivity,
                                       multiple_instances, catalog_version, definition, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            ON CONFLICT (type_code) DO UPDATE SET
                name = EXCLUDED.name, defining_authority = EXCLUDED.defining_authority,
                holder_category = EXCLUDED.holder_category, public_disclosure = EXCLUDED.public_disclosure,
                sensitivity = EXCLUDED.sensitivity, multiple_instances = EXCLUDED.multiple_instances,
                catalog_version = EXCLUDED.catalog_version, definition = EXCLUDED.definition, updated_at = EXCLUDED.updated_at
            WHERE catalog_types.catalog_version <= EXCLUDED.catalog_version
            """);
        cmd.Parameters.AddWithValue(view.TypeCode);
        cmd.Parameters.AddWithValue(d.Name);
        cmd.Parameters.AddWithValue(d.DefiningAuthorityCode);
        cmd.Parameters.AddWithValue(d.HolderCategory);
        cmd.Parameters.AddWithValue(d.PublicDisclosure);
        cmd.Parameters.AddWithValue(d.Sensitivity);
        cmd.Parameters.AddWithValue(d.MultipleInstances);
        cmd.Parameters.AddWithValue(view.CatalogVersion);
        cmd.Parameters.Add(new NpgsqlParameter { Value = JsonSerializer.Serialize(view, Json), NpgsqlDbType = NpgsqlDbType.Jsonb });
        cmd.Parameters.AddWithValue(view.UpdatedAt);
        return cmd;
    }

    public static IReadOnlyList<NpgsqlBatchCommand> UnitRows(UnitView view)
    {
        var d = view.Definition;
        var rows = new List<NpgsqlBatchCommand>();
        var unit = new NpgsqlBatchCommand("""
            INSERT INTO units (unit_code, name, region_code, level, parent_unit_code, status, revision, definition, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            ON CONFLICT (unit_code) DO UPDATE SET
                name = EXCLUDED.name, region_code = EXCLUDED.region_code, level = EXCLUDED.level,
                parent_unit_code = EXCLUDED.parent_unit_code, status = EXCLUDED.status, revision = EXCLUDED.revision,
                definition = EXCLUDED.definition, updated_at = EXCLUDED.updated_at
            WHERE units.revision <= EXCLUDED.revision
            """);
        unit.Parameters.AddWithValue(view.UnitCode);
        unit.Parameters.AddWithValue(d.Name);
        unit.Parameters.AddWithValue(d.RegionCode);
        unit.Parameters.AddWithValue(d.Level);
        unit.Parameters.AddWithValue(d.ParentUnitCode is null ? DBNull.Value : d.ParentUnitCode);
        unit.Parameters.AddWithValue(d.Status);
        unit.Parameters.AddWithValue(view.Revision);
        unit.Parameters.Add(new NpgsqlParameter { Value = JsonSerializer.Serialize(view with { Certificates = [] }, Json), NpgsqlDbType = NpgsqlDbType.Jsonb });
        unit.Parameters.AddWithValue(view.UpdatedAt);
        rows.Add(unit);
        foreach (var c in view.Certificates)
        {
            rows.Add(Certificate(c.SerialNumber, "unit", view.UnitCode, Convert.FromBase64String(c.CertificateBase64), c.NotBefore, c.NotAfter, c.Current));
        }

        return rows;
    }

    public static NpgsqlBatchCommand RootRow(string serialNumber, byte[] certificate, DateTimeOffset notBefore, DateTimeOffset notAfter) =>
        Certificate(serialNumber, "root", null, certificate, notBefore, notAfter, true);

    private static NpgsqlBatchCommand Certificate(string serial, string kind, string? unitCode, byte[] der, DateTimeOffset notBefore, DateTimeOffset notAfter, bool current)
    {
        var cmd = new NpgsqlBatchCommand("""
            INSERT INTO published_certificates (serial_number, kind, unit_code, certificate, not_before, not_after, is_current)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            ON CONFLICT (serial_number) DO UPDATE SET is_current = EXCLUDED.is_current
            """);
        cmd.Parameters.AddWithValue(serial);
        cmd.Parameters.AddWithValue(kind);
        cmd.Parameters.AddWithValue(unitCode is null ? DBNull.Value : unitCode);
        cmd.Parameters.AddWithValue(der);
        cmd.Parameters.AddWithValue(notBefore);
        cmd.Parameters.AddWithValue(notAfter);
        cmd.Parameters.AddWithValue(current);
        return cmd;
    }
}
