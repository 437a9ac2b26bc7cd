using System.Security.Cryptography.X509Certificates;
using OrleansLicenses.Signing;

namespace OrleansLicenses.Tests.Signing;

/// <summary>Shared fixtures for the signing tests: a fixed clock and a sample issuing unit.</summary>
internal static class SigningTestData
{
    public const string Organization = "浙江省电子证照平台";
    public const string UnitName = "杭州市市场监督管理局";
    public const string UnitCreditCode = "12330100MB0A12345X";

    /// <summary>Root and unit certificates start here.</summary>
    public static readonly DateTimeOffset Start = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>An instant inside every certificate's validity.</summary>
    public static readonly DateTimeOffset Inside = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    public static X509Certificate2 LoadCertificate(byte[] der) => X509CertificateLoader.LoadCertificate(der);

    public static CertificateAuthority NewAuthority(Sm2KeyPair? rootKey = null, string organization = Organization) =>
        CertificateAuthority.CreateRoot(rootKey ?? Sm2KeyPair.Generate(), organization, new SigningClock(Start));
}

/// <summary>A clock frozen at one instant.</summary>
internal sealed class SigningClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
