using System.Security.Cryptography;
using OrleansLicenses.Access;
using OrleansLicenses.Errors;
using OrleansLicenses.Hosting;
using OrleansLicenses.ReadModel;

namespace OrleansLicenses.Catalog;

/// <summary>
/// Owns one licence type's definition and its history of catalogue versions. File contents live in a second,
/// separately persisted state so the definition (read on every issuance) stays small.
/// </summary>
public sealed class LicenseTypeGrain(
    [PersistentState("licensetype", StorageNames.Store)] IPersistentState<LicenseTypeState> state,
    [PersistentState("licensetypefiles", StorageNames.Store)] IPersistentState<LicenseTypeFilesState> files,
    TimeProvider time) : Grain, ILicenseTypeGrain
{
    private List<LicenseTypeView>? views;

    /// <summary>The stored versions as the wire sees them, mapped once per activation.</summary>
    private List<LicenseTypeView> Views => views ??= [.. state.State.Versions.Select(v => v.ToWire())];

    private LicenseTypeView? Current => Views.Count == 0 ? null : Views[^1];

    async Task<LicenseTypeView> ILicenseTypeGrain.DefineAsync(LicenseTypeDefinition definition, Caller caller)
    {
        RequireAdmin(caller);
        DomainException.ThrowIfAny("catalog.invalid_definition", LicenseTypeRules.Validate(this.GetPrimaryKeyString(), definition));

        if (Current is { } current && DefinitionEquality.Same(current.Definition, definition))
        {
            // An identical PUT is idempotent: no new catalogue version.
            return current;
        }

        return await AppendVersion(definition, Current?.Files ?? [], caller);
    }

    async Task<LicenseTypeView> ILicenseTypeGrain.AttachFileAsync(CatalogFile file, Caller caller)
    {
        RequireAdmin(caller);
        var current = Current ?? throw DomainException.NotFound("catalog.type_not_found", "Define the licence type before attaching files.");
        if (CatalogFileRules.Check(file) is { } problem)
        {
            throw DomainException.Invalid("catalog.invalid_file", "file", problem);
        }

        files.State.Files[file.Kind] = new CatalogFileState(file.Kind, file.ContentType, file.Content);
        await files.WriteOrDeactivateAsync(this);
        var info = new CatalogFileInfo(file.Kind, file.ContentType, file.Content.Length,
            Convert.ToHexStringLower(SHA256.HashData(file.Content)), current.CatalogVersion + 1);
        var list = current.Files.Where(f => f.Kind != file.Kind).Append(info).OrderBy(f => f.Kind, StringComparer.Ordinal).ToList();
        return await AppendVersion(current.Definition, list, caller);
    }

    Task<LicenseTypeView?> ILicenseTypeGrain.GetAsync(int? version) =>
        Task.FromResult(version is null ? Current : Views.FirstOrDefault(v => v.CatalogVersion == version));

    Task<CatalogFile?> ILicenseTypeGrain.GetFileAsync(string kind) =>
        Task.FromResult(files.State.Files.GetValueOrDefault(kind) is { } f ? new CatalogFile(f.Kind, f.ContentType, f.Content) : null);

    Task<LicenseTypeView?> ILicenseTypeGrain.InspectAsync(Caller caller) => Task.FromResult(Inspection.Allow(caller) ? Current : null);

    private async Task<LicenseTypeView> AppendVersion(LicenseTypeDefinition definition, IReadOnlyList<CatalogFileInfo> fileInfos, Caller caller)
    {
        var view = new LicenseTypeView(this.GetPrimaryKeyString(), (Current?.CatalogVersion ?? 0) + 1, definition, fileInfos, time.GetUtcNow(), caller.Subject);
        state.State.Versions.Add(LicenseTypeVersionState.From(view));
        Views.Add(view);
        // The catalog_types row commits with the state (LicenseTypeProjector).
        await state.WriteOrDeactivateAsync(this);
        return view;
    }

    private static void RequireAdmin(Caller caller)
    {
        if (!caller.IsAdmin)
        {
            throw DomainException.Forbidden("catalog.forbidden", "Only administrators change the catalogue.");
        }
    }
}
