namespace OrleansLicenses.Hosting;

/// <summary>
/// A grain interface only the silos themselves may call (signing, certifying, holder bookkeeping): the silo's
/// incoming call filter refuses a call to it from an Orleans client, so a client that reaches a gateway cannot get
/// a signature under a unit's key, a certificate for its own key, or spend a holder's authorization.
/// </summary>
[AttributeUsage(AttributeTargets.Interface, Inherited = false)]
public sealed class SiloInternalAttribute : Attribute;
