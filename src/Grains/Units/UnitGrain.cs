using OrleansLicenses.Access;
using OrleansLicenses.Catalog;
using OrleansLicenses.Errors;
using OrleansLicenses.Hosting;
using OrleansLicenses.Identifiers;
using OrleansLicenses.ReadModel;
using OrleansLicenses.Signing;

namespace OrleansLicenses.Units;

public sealed class UnitKeyState
{
    public string SerialNumber { get; set; } = "";
    public byte[] Certificate { get; set; } = [];

    /// <summary>PKCS#8, encrypted with the key-encryption key; the label is the unit code, so blobs cannot be swapped.</summary>
    public byte[] EncryptedPrivateKey { get; set; } = [];
    public DateTimeOffset NotBefore { get; set; }
    public DateTimeOffset NotAfter { get; set; }
}

public sealed class UnitState
{
    /// <summary>The unit's definition as stored (its own record; the wire's is <see cref="UnitDefinition"/>).</summary>
    public UnitDefinitionState? Definition { get; set; }
    public int Revision { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public string UpdatedBy { get; set; } = "";

    /// <summary>Every key the unit has had; the last one signs. Old certificates stay published.</summary>
    public List<UnitKeyState> Keys { get; set; } = [];
}

/// <summary>
/// Owns a unit: its place in the region hierarchy, what it may issue, its business scope, and its signing keys.
/// Parent/region consistency and the existence of the licence types are checked against the other grains.
/// </summary>
public sealed class UnitGrain(
    [PersistentState("unit", StorageNames.Store)] IPersistentState<UnitState> state,
    SigningKeyProtection protection,
    UnitDirectory directory,
    TimeProvider time) : Grain, IUnitGrain, IUnitSigningGrain
{
    /// <summary>A unit certificate is renewed this long before it expires, at the next signature.</summary>
    internal static readonly TimeSpan RenewBefore = TimeSpan.FromDays(30);

    private static readonly Caller AutoRenewal = new("platform:key-renewal", Roles.Admin, null, null, null);

    private Sm2KeyPair? signingKey;

    private string UnitCode => this.GetPrimaryKeyString();

    async Task<UnitView> IUnitGrain.DefineAsync(UnitDefinition definition, Caller caller)
    {
        RequireAdmin(caller);
        // Every broken rule at once: the definition's own, then (where those pass) its parent and its licence types.
        var errors = UnitRules.Validate(UnitCode, definition);
        var code = errors.Count > 0 ? "unit.invalid_definition" : null;
        if (!errors.Any(e => e.Field is "parentUnitCode" or "regionCode" or "level"))
        {
            var parentCode = await CheckParent(definition, errors);
            code ??= parentCode;
        }

        if (!errors.Any(e => e.Field.StartsWith("issuableTypes", StringComparison.Ordinal) || e.Field.StartsWith("scope", StringComparison.Ordinal)))
        {
            var typesCode = await CheckTypesExist(definition, errors);
            code ??= typesCode;
        }

        if (code is not null)
        {
            DomainException.ThrowIfAny(code, errors);
        }

        if (state.State.Definition?.ToWire() is { } existing && DefinitionEquality.Same(existing, definition))
        {
            // An identical PUT is idempotent: no new revision.
            return View();
        }

        try
        {
            state.State.Definition = UnitDefinitionState.From(definition);
            if (definition.IssuableTypes.Count > 0 && state.State.Keys.Count == 0)
            {
                await AddKey(definition.Name);
            }

            return await Commit(caller);
        }
        catch (Exception e)
        {
            StateWrites.Forget(this, e);
            throw;
        }
    }

    async Task<UnitView> IUnitGrain.RotateKeyAsync(Caller caller)
    {
        RequireAdmin(caller);
        var definition = state.State.Definition ?? throw DomainException.NotFound("unit.not_found", "No such unit.");
        try
        {
            await AddKey(definition.Name);
            return await Commit(caller);
        }
        catch (Exception e)
        {
            StateWrites.Forget(this, e);
            throw;
        }
    }

    Task<UnitView?> IUnitGrain.GetAsync() => Task.FromResult(state.State.Definition is null ? null : View());

    Task<UnitView?> IUnitGrain.InspectAsync(Caller caller) => Task.FromResult(Inspection.Allow(caller) && state.State.Definition is not null ? View() : null);

    async Task<UnitSignature> IUnitSigningGrain.SignAsync(byte[] data)
    {
        var current = await CurrentKeyAsync();
        signingKey ??= protection.Unprotect(current.EncryptedPrivateKey, UnitCode);

        // The key pair's pooled signer on the specialised curve, the same fast path as UnitSigners.
        return new UnitSignature(Sm2Signer.Sign(signingKey, data), current.Certificate, current.SerialNumber);
    }

    async Task<UnitSigningKey> IUnitSigningGrain.GetSigningKeyAsync()
    {
        var current = await CurrentKeyAsync();
        return new UnitSigningKey(current.EncryptedPrivateKey, current.Certificate, current.SerialNumber, current.NotAfter);
    }

    /// <summary>The key that signs now: refuses for a unit that is not active or has no key, renews an expiring one first.</summary>
    private async Task<UnitKeyState> CurrentKeyAsync()
    {
        if (state.State.Keys.Count == 0 || state.State.Definition is not { Status: "active" } definition)
        {
            throw DomainException.Conflict("unit.cannot_sign", "The unit has no active signing key.");
        }

        if (state.State.Keys[^1].NotAfter <= time.GetUtcNow().Add(RenewBefore))
        {
            // Never sign with a certificate that is expired or about to: renew the key first (old ones stay published).
            // The one case renewal cannot help is a platform root at the end of its own (20-year) validity: root
            // rollover is an operator's task, so signing goes on with the current key until then.
            try
            {
                await AddKey(definition.Name);
                await Commit(AutoRenewal);
            }
            catch (ArgumentException)
            {
                // The CA refused: the renewed certificate would outlive the root. Nothing was changed.
            }
            catch (Exception e)
            {
                StateWrites.Forget(this, e);
                throw;
            }
        }

        return state.State.Keys[^1];
    }

    /// <summary>Adds what is wrong with the parent to <paramref name="errors"/>; the code of the first such error, or null.</summary>
    private async Task<string?> CheckParent(UnitDefinition d, List<FieldError> errors)
    {
        if (d.ParentUnitCode is null)
        {
            return null;
        }

        var parent = await GrainFactory.Get<IUnitGrain>(d.ParentUnitCode).GetAsync();
        if (parent is null)
        {
            errors.Add(new("parentUnitCode", $"parentUnitCode {d.ParentUnitCode} is not a defined unit"));
            return "unit.parent_not_found";
        }

        string? code = null;
        if (UnitRules.Rank(parent.Definition.Level) <= UnitRules.Rank(d.Level))
        {
            errors.Add(new("parentUnitCode", $"parentUnitCode must be a unit above {d.Level} level (it is {parent.Definition.Level})"));
            code = "unit.parent_level";
        }

        if (!Regions.IsWithin(d.RegionCode, parent.Definition.RegionCode))
        {
            errors.Add(new("regionCode", $"regionCode {d.RegionCode} is not within the parent unit's region {parent.Definition.RegionCode}"));
            code ??= "unit.region_outside_parent";
        }

        return code;
    }

    /// <summary>Adds every issuable or scoped licence type that is not in the catalogue; the code, or null when all exist.</summary>
    private async Task<string?> CheckTypesExist(UnitDefinition d, List<FieldError> errors)
    {
        var wanted = d.IssuableTypes.Select((t, i) => (Code: t, Field: $"issuableTypes[{i}]"))
            .Concat(d.Scope.SelectMany((m, i) => m.LicenseTypes.Select((t, j) => (Code: t, Field: $"scope[{i}].licenseTypes[{j}]"))))
            .ToList();
        var found = await Task.WhenAll(wanted.Select(w => w.Code).Distinct(StringComparer.Ordinal)
            .Select(async code => (code, view: await GrainFactory.Get<ILicenseTypeGrain>(code).GetAsync())));
        var missing = found.Where(f => f.view is null).Select(f => f.code).ToHashSet(StringComparer.Ordinal);
        var unknown = wanted.Where(w => missing.Contains(w.Code)).Select(w => new FieldError(w.Field, $"{w.Field} {w.Code} is not in the catalogue")).ToList();
        errors.AddRange(unknown);
        return unknown.Count > 0 ? "unit.unknown_type" : null;
    }

    private async Task AddKey(string unitName)
    {
        var key = Sm2KeyPair.Generate();
        var certificate = await GrainFactory.GetGrain<ICertificateIssuerGrain>("root")
            .CertifyUnitAsync(UnitCode, unitName, key.ExportSubjectPublicKeyInfo());
        var info = UnitCertificateInfo.Parse(certificate);
        state.State.Keys.Add(new UnitKeyState
        {
            SerialNumber = info.SerialNumberHex,
            Certificate = certificate,
            EncryptedPrivateKey = protection.Protect(key, UnitCode),
            NotBefore = info.NotBefore,
            NotAfter = info.NotAfter,
        });
        signingKey = key;
    }

    private async Task<UnitView> Commit(Caller caller)
    {
        state.State.Revision++;
        state.State.UpdatedAt = time.GetUtcNow();
        state.State.UpdatedBy = caller.Subject;
        await state.WriteStateAsync();
        // This silo's verification cache sees the change at once; other silos within UnitDirectory.Lifetime.
        directory.Invalidate(UnitCode);
        return View();
    }

    private UnitView View() => UnitViews.Of(UnitCode, state.State);

    private static void RequireAdmin(Caller caller)
    {
        if (!caller.IsAdmin)
        {
            throw DomainException.Forbidden("unit.forbidden", "Only administrators change units.");
        }
    }
}
