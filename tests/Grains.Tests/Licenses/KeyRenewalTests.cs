using Microsoft.Extensions.Time.Testing;
using OrleansLicenses.Licenses;
using OrleansLicenses.Units;
using OrleansLicenses.Verification;

namespace OrleansLicenses.Tests.Licenses;

/// <summary>Unit certificates last three years; licences may last longer. Neither may break the other.</summary>
public sealed class KeyRenewalTests
{
    [Fact]
    public async Task ExpiringUnitCertificate_IsRenewedBeforeSigning_AndOldDocumentsStillVerifyAfterItExpired()
    {
        var clock = TestCalendar.NewCalendar();
        var connectionString = await PlatformDatabase.CreateAsync();
        var cluster = await TestClusters.StartAsync(connectionString, configureSilo: new PlatformTestClock(clock).Register);
        try
        {
            var grains = cluster.Client;
            await LicenseWorld.SeedAsync(grains);
            var first = grains.GetGrain<ILicenseGrain>(LicenseWorld.Number(LicenseWorld.NewSerial("K1")));
            var issued = await first.IssueAsync(LicenseWorld.Issue(LicenseWorld.NewHolder(), TestCalendar.Today), LicenseWorld.Issuer);
            var oldDocument = (await first.GetDocumentAsync(null, LicenseWorld.Admin))!;
            var unit = (await grains.GetGrain<IUnitGrain>(LicenseWorld.HarbinMarket).GetAsync())!;
            var oldCertificate = Assert.Single(unit.Certificates, c => c.Current);

            // Ten days before the unit certificate expires, the next signature renews the key first.
            clock.SetUtcNow(oldCertificate.NotAfter.AddDays(-10));
            var second = grains.GetGrain<ILicenseGrain>(LicenseWorld.Number(LicenseWorld.NewSerial("K2")));
            var later = await second.IssueAsync(LicenseWorld.Issue(LicenseWorld.NewHolder(), PlatformClock.Today(clock)), LicenseWorld.Issuer);
            Assert.NotEqual(issued.Signature.Certificate, later.Signature.Certificate);
            unit = (await grains.GetGrain<IUnitGrain>(LicenseWorld.HarbinMarket).GetAsync())!;
            Assert.Equal(2, unit.Certificates.Count);
            Assert.True(unit.Certificates.Single(c => c.Current).NotAfter > clock.GetUtcNow().AddYears(2));

            // A year after the old certificate expired, the 5-year licence it signed still verifies offline.
            clock.SetUtcNow(oldCertificate.NotAfter.AddYears(1));
            var check = await grains.GetGrain<IDocumentCheckGrain>(0).CheckAsync(new PresentedDocument(oldDocument.Canonical, oldDocument.Signature, oldDocument.Certificate));
            Assert.True(check.Valid, string.Join(", ", check.Reasons));

            // A forged signing time outside the certificate's life does not help a forger: it is part of the signed bytes.
            var signedYear = clock.Start.Year.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var earlierYear = (clock.Start.Year - 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var forged = oldDocument.Canonical.Replace($"\"signedAt\":\"{signedYear}", $"\"signedAt\":\"{earlierYear}", StringComparison.Ordinal);
            Assert.NotEqual(oldDocument.Canonical, forged);
            Assert.False((await grains.GetGrain<IDocumentCheckGrain>(0).CheckAsync(new PresentedDocument(forged, oldDocument.Signature, oldDocument.Certificate))).Valid);
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }
}
