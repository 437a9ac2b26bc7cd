namespace OrleansLicenses.Clients;

/// <summary>
/// The lock-out of a credential checked outside a client grain: the bootstrap administrator, whose secret is in the
/// API hosts' configuration. Key: the credential's client id. Same rule as <see cref="IClientGrain.AuthenticateAsync"/>.
/// </summary>
public interface ICredentialLockoutGrain : IGrainWithStringKey
{
    /// <summary>Records an attempt from the address whose secret did or did not match; a locked-out address is refused even with the right secret.</summary>
    Task<ClientAuthentication> AttemptAsync(bool secretMatched, string sourceAddress);
}
