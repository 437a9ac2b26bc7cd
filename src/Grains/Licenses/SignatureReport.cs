namespace OrleansLicenses.Licenses;

/// <summary>What <see cref="StoredSignatureVerifier"/> found.</summary>
/// <param name="RootSha256">SHA-256 (hex) of the root certificate the chains were checked against.</param>
/// <param name="RootSource"><c>database</c> (published_certificates) or the file given.</param>
/// <param name="Licenses">Licences read from <c>license_state</c>.</param>
/// <param name="Versions">Signed versions checked.</param>
/// <param name="FeedEntries">Change-feed entries (<c>license_changes</c>) compared with the versions they name.</param>
/// <param name="Failures">Every version or feed entry that did not verify (at most <see cref="StoredSignatureVerifier.MaxReportedFailures"/> listed).</param>
/// <param name="FailureCount">How many failed in all.</param>
public sealed record SignatureReport(
    string RootSha256,
    string RootSource,
    int Licenses,
    int Versions,
    int FeedEntries,
    IReadOnlyList<SignatureFailure> Failures,
    int FailureCount)
{
    /// <summary>True when every version and feed entry verified and there was something to verify against.</summary>
    public bool Intact => FailureCount == 0;
}

/// <summary>One version (or change-feed entry) that failed, and the first check it failed.</summary>
public sealed record SignatureFailure(string LicenseNumber, string Identifier, string Reason);
