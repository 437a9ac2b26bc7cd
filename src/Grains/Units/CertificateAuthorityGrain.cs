using OrleansLicenses.Hosting;
using OrleansLicenses.ReadModel;
using OrleansLicenses.Signing;

namespace OrleansLicenses.Units;

public sealed class CertificateAuthorityState
{
    public byte[]? RootCertificate { get; set; }

    /// <summary>PKCS#8 of the root key, encrypted with the key-encryption key (label <c>platform-root</c>).</summary>
    public byte[]? EncryptedRootKey { get; set; }
}

/// <summary>
/// The platform root CA. One activation for the whole platform, called only when a unit is defined or rotates
/// its key (never on the issuance or verification path). The root key is created on first use.
/// </summary>
public sealed class CertificateAuthorityGrain(
    [PersistentState("ca", StorageNames.Store)] IPersistentState<CertificateAuthorityState> state,
    SigningKeyProtection protection,
    TimeProvider time) : Grain, ICertificateAuthorityGrain, ICertificateIssuerGrain
{
    private const string Label = "platform-root";
    private CertificateAuthority? authority;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.RootCertificate is null || state.State.EncryptedRootKey is null)
        {
            var key = Sm2KeyPair.Generate();
            var ca = CertificateAuthority.CreateRoot(key, "黑龙江省一体化在线政务服务平台", time);
            state.State.RootCertificate = ca.RootCertificateDer;
            state.State.EncryptedRootKey = protection.Protect(key, Label);
            await state.WriteStateAsync(cancellationToken);
            authority = ca;
        }
        else
        {
            authority = new CertificateAuthority(state.State.RootCertificate, protection.Unprotect(state.State.EncryptedRootKey, Label), time);
        }
    }

    Task<byte[]> ICertificateAuthorityGrain.GetRootCertificateAsync() => Task.FromResult(state.State.RootCertificate!);

    Task<byte[]> ICertificateIssuerGrain.CertifyUnitAsync(string unitCode, string unitName, byte[] subjectPublicKeyInfo) =>
        Task.FromResult(authority!.IssueUnitCertificate(Sm2Keys.ImportSubjectPublicKeyInfo(subjectPublicKeyInfo), unitName, unitCode));
}
