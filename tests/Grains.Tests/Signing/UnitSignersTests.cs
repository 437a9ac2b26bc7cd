using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;
using OrleansLicenses.Catalog;
using OrleansLicenses.Errors;
using OrleansLicenses.Signing;
using OrleansLicenses.Tests.Licenses;
using OrleansLicenses.Units;
using Xunit;

namespace OrleansLicenses.Tests.Signing;

/// <summary>
/// The silo-local <see cref="UnitSigners"/> on a real two-silo cluster: what it signs verifies with the unit
/// certificate (here and with OpenSSL), concurrent first requests share one call to the unit grain, and key changes
/// (rotation, renewal, suspension) reach it on the documented schedule.
/// </summary>
public sealed class UnitSignersTests
{
    private static readonly byte[] Message = Encoding.UTF8.GetBytes($"{{\"identifier\":\"示例\",\"signedAt\":\"{TestCalendar.Iso()}T00:00:00Z\"}}");

    [Fact]
    public async Task SignAsync_SignaturesVerifyWithUnitCertificate_AndConcurrentFirstRequestsShareOneGrainCall()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(-1));
        int keyFetches = 0;
        var cluster = await StartAsync(clock, () => Interlocked.Increment(ref keyFetches));
        try
        {
            await LicenseWorld.SeedAsync(cluster.Client);
            var unit = (await cluster.Client.GetGrain<IUnitGrain>(LicenseWorld.HarbinMarket).GetAsync())!;
            var current = Assert.Single(unit.Certificates, c => c.Current);
            byte[] root = await cluster.Client.GetGrain<ICertificateAuthorityGrain>("root").GetRootCertificateAsync();

            for (int silo = 0; silo < 2; silo++)
            {
                var signers = Signers(cluster, silo);
                var signatures = await Task.WhenAll(Enumerable.Range(0, 64)
                    .Select(i => Task.Run(() => signers.SignAsync(LicenseWorld.HarbinMarket, MessageFor(i)).AsTask())));

                // One grain call per silo, however many licences asked at once.
                Assert.Equal(silo + 1, Volatile.Read(ref keyFetches));
                for (int i = 0; i < signatures.Length; i++)
                {
                    Assert.Equal(current.SerialNumber, signatures[i].CertificateSerial);
                    Assert.Equal(Convert.FromBase64String(current.CertificateBase64), signatures[i].Certificate);
                    Assert.True(Sm2Signer.Verify(UnitCertificateInfo.Parse(signatures[i].Certificate).PublicKey, MessageFor(i), signatures[i].Signature));
                }

                Assert.Equal(CertificateChainStatus.Valid, CertificateAuthority.VerifyChain(signatures[0].Certificate, root, clock.GetUtcNow()));
            }

            // Relying parties check with OpenSSL, taking the key from the unit certificate.
            var signature = await Signers(cluster, 0).SignAsync(LicenseWorld.HarbinMarket, Message);
            using var openssl = OpenSslTool.Create();
            openssl.Write("unit.der", signature.Certificate);
            openssl.RunOk("x509", "-inform", "DER", "-in", "unit.der", "-noout", "-pubkey", "-out", "unit-pub.pem");
            openssl.Write("msg.json", Message);
            openssl.Write("msg.sig", signature.Signature);
            var verified = openssl.Run("dgst", "-sm3", "-verify", "unit-pub.pem", "-sigopt", OpenSslTool.DistId, "-signature", "msg.sig", "msg.json");
            Assert.True(verified.ExitCode == 0, verified.All);

            // The unit grain's own SignAsync is silo-internal: an Orleans client that reached a gateway gets no
            // signature under the unit's key, no key material, no certificate for a key of its own, and cannot
            // spend a holder's authorization.
            var signing = cluster.Client.GetGrain<IUnitSigningGrain>(LicenseWorld.HarbinMarket);
            await AssertInternalOnly(() => signing.SignAsync(Message));
            await AssertInternalOnly(() => signing.GetSigningKeyAsync());
            await AssertInternalOnly(() => cluster.Client.GetGrain<ICertificateIssuerGrain>("root").CertifyUnitAsync("91230102MA1B2C3D8J", "x", [1, 2, 3]));
            await AssertInternalOnly(() => cluster.Client.GetGrain<Holders.IHolderBookkeepingGrain>("001:91230102MA1B2C3D8J")
                .ConsumeAuthorizationAsync("auth-x", "n", LicenseWorld.HarbinMarket, "m", "p", true));
            // The public contract of the same grain still answers clients.
            Assert.NotNull(await cluster.Client.GetGrain<IUnitGrain>(LicenseWorld.HarbinMarket).GetAsync());
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }

    [Fact]
    public async Task SignAsync_PicksUpRotationAfterRefresh_RenewsInWindow_AndRefusesSuspendedUnit()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(-1));
        var cluster = await StartAsync(clock, () => { });
        try
        {
            await LicenseWorld.SeedAsync(cluster.Client);
            var unitGrain = cluster.Client.GetGrain<IUnitGrain>(LicenseWorld.HarbinMarket);
            var signers = Signers(cluster, 0);
            var first = await signers.SignAsync(LicenseWorld.HarbinMarket, Message);

            // Rotated (through any silo): this silo signs with the old key until the refresh interval is over;
            // the old certificate stays valid, so those signatures verify.
            var rotated = Assert.Single((await unitGrain.RotateKeyAsync(LicenseWorld.Admin)).Certificates, c => c.Current);
            Assert.NotEqual(first.CertificateSerial, rotated.SerialNumber);
            var cached = await signers.SignAsync(LicenseWorld.HarbinMarket, Message);
            Assert.Equal(first.CertificateSerial, cached.CertificateSerial);
            AssertVerifies(cached);

            clock.Advance(UnitSigners.RefreshInterval + TimeSpan.FromSeconds(1));
            var refreshed = await signers.SignAsync(LicenseWorld.HarbinMarket, Message);
            Assert.Equal(rotated.SerialNumber, refreshed.CertificateSerial);
            AssertVerifies(refreshed);

            // Entering the 30-day renewal window: asked again at once (well within the interval), and the grain renews.
            clock.SetUtcNow(rotated.NotAfter.AddDays(-30).AddSeconds(-10));
            Assert.Equal(rotated.SerialNumber, (await signers.SignAsync(LicenseWorld.HarbinMarket, Message)).CertificateSerial);
            clock.Advance(TimeSpan.FromSeconds(20));
            var renewed = await signers.SignAsync(LicenseWorld.HarbinMarket, Message);
            Assert.NotEqual(rotated.SerialNumber, renewed.CertificateSerial);
            AssertVerifies(renewed);
            var afterRenewal = Assert.Single((await unitGrain.GetAsync())!.Certificates, c => c.Current);
            Assert.Equal(afterRenewal.SerialNumber, renewed.CertificateSerial);
            Assert.True(afterRenewal.NotAfter > clock.GetUtcNow().AddYears(2));

            // A suspended unit stops signing on this silo once the cached key is due for refresh.
            await unitGrain.DefineAsync(
                new UnitDefinition("哈尔滨市市场监督管理局", "230100", "city", LicenseWorld.ProvinceMarket, [LicenseWorld.FoodType, LicenseWorld.LongTermType], [], "suspended"),
                LicenseWorld.Admin);
            clock.Advance(UnitSigners.RefreshInterval + TimeSpan.FromSeconds(1));
            var refused = await Assert.ThrowsAsync<DomainException>(() => signers.SignAsync(LicenseWorld.HarbinMarket, Message).AsTask());
            Assert.Equal("unit.cannot_sign", refused.Code);
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }

    private static async Task<InProcessTestCluster> StartAsync(FakeTimeProvider clock, Action onKeyFetch)
    {
        var connectionString = await PlatformDatabase.CreateAsync();
        var platformClock = new PlatformTestClock(clock);
        return await TestClusters.StartAsync(connectionString, configureSilo: silo =>
        {
            platformClock.Register(silo);
            silo.AddIncomingGrainCallFilter(context =>
            {
                if (context.MethodName == nameof(IUnitSigningGrain.GetSigningKeyAsync))
                {
                    onKeyFetch();
                }

                return context.Invoke();
            });
        });
    }

    private static UnitSigners Signers(InProcessTestCluster cluster, int silo) =>
        cluster.GetSiloServiceProvider(cluster.Silos[silo].SiloAddress).GetRequiredService<UnitSigners>();

    private static void AssertVerifies(UnitSignature signature) =>
        Assert.True(Sm2Signer.Verify(UnitCertificateInfo.Parse(signature.Certificate).PublicKey, Message, signature.Signature));

    private static byte[] MessageFor(int index) => [.. Message, .. BitConverter.GetBytes(index)];

    private static async Task AssertInternalOnly(Func<Task> call)
    {
        var refused = await Assert.ThrowsAsync<DomainException>(call);
        Assert.Equal("cluster.internal_only", refused.Code);
    }
}
