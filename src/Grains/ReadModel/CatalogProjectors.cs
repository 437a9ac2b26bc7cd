using Npgsql;
using OrleansLicenses.Catalog;
using OrleansLicenses.Signing;
using OrleansLicenses.Units;

namespace OrleansLicenses.ReadModel;

/// <summary>A licence type's <c>catalog_types</c> row: its newest catalogue version.</summary>
public sealed class LicenseTypeProjector : ReadModelProjector<LicenseTypeState>
{
    protected override IReadOnlyList<NpgsqlBatchCommand> Rows(string grainKey, LicenseTypeState state) =>
        state.Versions.Count == 0 ? [] : [CatalogReadModel.TypeRow(state.Versions[^1].ToWire())];
}

/// <summary>A unit's <c>units</c> row and its published certificates.</summary>
public sealed class UnitProjector : ReadModelProjector<UnitState>
{
    protected override IReadOnlyList<NpgsqlBatchCommand> Rows(string grainKey, UnitState state) =>
        state.Definition is null ? [] : CatalogReadModel.UnitRows(UnitViews.Of(grainKey, state));
}

/// <summary>The root certificate in <c>published_certificates</c>.</summary>
public sealed class CertificateAuthorityProjector : ReadModelProjector<CertificateAuthorityState>
{
    protected override IReadOnlyList<NpgsqlBatchCommand> Rows(string grainKey, CertificateAuthorityState state)
    {
        if (state.RootCertificate is null)
        {
            return [];
        }

        var root = CertificateAuthority.ParseCertificate(state.RootCertificate)!;
        return [CatalogReadModel.RootRow(root.SerialNumber.ToString(16), state.RootCertificate,
            new DateTimeOffset(root.NotBefore, TimeSpan.Zero), new DateTimeOffset(root.NotAfter, TimeSpan.Zero))];
    }
}
