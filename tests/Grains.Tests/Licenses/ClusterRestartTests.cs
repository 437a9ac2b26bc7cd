using System.Text;
using System.Text.Json;
using Orleans.TestingHost;
using OrleansLicenses.Holders;
using OrleansLicenses.Licenses;
using OrleansLicenses.Signing;

namespace OrleansLicenses.Tests.Licenses;

/// <summary>
/// Issue #4, done when: "restarting the whole cluster loses nothing that was acknowledged". Every silo goes down,
/// a new cluster (new cluster id, same service id and database) comes up, and every licence reads back the same.
/// </summary>
public sealed class ClusterRestartTests
{
    private const int Licences = 8;

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    [Theory]
    [InlineData(false)] // graceful: StopAllSilosAsync
    [InlineData(true)] // crash: every silo killed
    public async Task WholeClusterRestart_OnTheSameDatabaseAndServiceId_LosesNothingAcknowledged(bool kill)
    {
        var connectionString = await PlatformDatabase.CreateAsync();
        var first = await TestClusters.StartAsync(connectionString);
        string[] numbers;
        string[] acknowledged;
        Dictionary<string, string> before;
        try
        {
            await LicenseWorld.SeedAsync(first.Client);
            var today = TestCalendar.Today;

            // Each licence gets its own history; they run concurrently, so writes land on both silos interleaved.
            var results = await Task.WhenAll(Enumerable.Range(0, Licences).Select(i => WriteHistoryAsync(first.Client, i, today)));
            numbers = [.. results.Select(r => r.Number)];
            acknowledged = [.. results.Select(r => Serialize(r.LastAcknowledged))];
            before = await SnapshotAsync(first.Client, numbers);
        }
        finally
        {
            if (kill)
            {
                foreach (var silo in first.Silos.ToList())
                {
                    await first.KillSiloAsync(silo);
                }
            }
            else
            {
                await first.StopAllSilosAsync();
            }

            await first.DisposeAsync();
        }

        var second = await TestClusters.StartAsync(connectionString);
        try
        {
            Assert.NotEqual(first.Options.ClusterId, second.Options.ClusterId);
            Assert.Equal(first.Options.ServiceId, second.Options.ServiceId);
            var after = await SnapshotAsync(second.Client, numbers);

            // Every view of every version, every history entry, every document and every holder entry is the same.
            Assert.Equal(before.Keys.Order(StringComparer.Ordinal), after.Keys.Order(StringComparer.Ordinal));
            foreach (var (key, value) in before)
            {
                Assert.Equal(value, after[key]);
            }

            // The last acknowledged answer of each history is what the new cluster reads.
            for (var i = 0; i < numbers.Length; i++)
            {
                Assert.Equal(acknowledged[i], after[$"{numbers[i]} view current"]);
            }

            // And every signed document still verifies: SM2 over the canonical text, unit certificate chained to the root.
            foreach (var number in numbers)
            {
                var licence = second.Client.GetGrain<ILicenseGrain>(number);
                var current = (await licence.GetAsync(null, LicenseWorld.Admin))!;
                for (var v = 1; v <= int.Parse(current.Version, System.Globalization.CultureInfo.InvariantCulture); v++)
                {
                    var document = (await licence.GetDocumentAsync($"{v:D3}", LicenseWorld.Admin))!;
                    var certificate = Convert.FromBase64String(document.Certificate);
                    Assert.True(Sm2Signer.Verify(UnitCertificateInfo.Parse(certificate).PublicKey, Encoding.UTF8.GetBytes(document.Canonical), Convert.FromBase64String(document.Signature)));
                    Assert.Equal(CertificateChainStatus.Valid, CertificateAuthority.VerifyChain(certificate, Convert.FromBase64String(document.RootCertificate), TestCalendar.Clock.GetUtcNow()));
                }
            }

            // The read model still has one row per licence, at the current identifier.
            foreach (var number in numbers)
            {
                var row = Assert.Single(await LicenseWorld.ReadModelRows(connectionString, number));
                Assert.Equal((await second.Client.GetGrain<ILicenseGrain>(number).GetAsync(null, LicenseWorld.Admin))!.Id, row.Identifier);
            }
        }
        finally
        {
            await second.StopAllSilosAsync();
            await second.DisposeAsync();
        }
    }

    /// <summary>Issues a licence and takes it through changes and events; returns the last acknowledged view.</summary>
    private static async Task<(string Number, LicenseView LastAcknowledged)> WriteHistoryAsync(IGrainFactory grains, int i, DateOnly today)
    {
        var typeCode = i % 4 == 3 ? LicenseWorld.LongTermType : LicenseWorld.FoodType;
        var number = LicenseWorld.Number(LicenseWorld.NewSerial("RS"), typeCode);
        var licence = grains.GetGrain<ILicenseGrain>(number);
        var issuer = LicenseWorld.Issuer;
        var view = await licence.IssueAsync(LicenseWorld.Issue(LicenseWorld.NewHolder(), today.AddDays(-i), typeCode: typeCode), issuer);
        view = await licence.ChangeAsync(new ChangeLicense(LicenseWorld.Fields($"变更后经营者{i}", "哈尔滨市道里区新址2号"), $"新名称{i}", "经营场所变更"), issuer);
        view = await licence.ApplyAsync(new LifecycleEvent(LicenseEventTypes.Suspend, "责令停业整顿", today.AddDays(10 + i)), issuer);
        view = await licence.ApplyAsync(new LifecycleEvent(LicenseEventTypes.Mortgage, "银行抵押"), issuer);
        if (i % 2 == 0)
        {
            view = await licence.ApplyAsync(new LifecycleEvent(LicenseEventTypes.Reinstate, "整改完成"), issuer);
            view = await licence.ApplyAsync(new LifecycleEvent(LicenseEventTypes.AnnualInspection, InspectionResult: InspectionResults.Passed, InspectionDate: today), issuer);
        }

        if (typeCode == LicenseWorld.FoodType)
        {
            view = await licence.ApplyAsync(new LifecycleEvent(LicenseEventTypes.Extend, NewValidUntil: view.ValidUntil!.Value.AddYears(1)), issuer);
        }

        if (i % 3 == 0)
        {
            view = await licence.ApplyAsync(new LifecycleEvent(LicenseEventTypes.Revoke, "依法吊销"), issuer);
        }

        return (number, view);
    }

    /// <summary>Everything readable about the licences, as JSON by a descriptive key.</summary>
    private static async Task<Dictionary<string, string>> SnapshotAsync(IGrainFactory grains, IEnumerable<string> numbers)
    {
        var snapshot = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var number in numbers)
        {
            var licence = grains.GetGrain<ILicenseGrain>(number);
            var current = (await licence.GetAsync(null, LicenseWorld.Issuer))!;
            snapshot[$"{number} view current"] = Serialize(current);
            snapshot[$"{number} state"] = Serialize((await licence.InspectAsync(LicenseWorld.Admin))!);
            snapshot[$"{number} history"] = Serialize((await licence.GetHistoryAsync(LicenseWorld.Issuer))!);
            for (var v = 1; v <= int.Parse(current.Version, System.Globalization.CultureInfo.InvariantCulture); v++)
            {
                snapshot[$"{number} view {v:D3}"] = Serialize((await licence.GetAsync($"{v:D3}", LicenseWorld.Issuer))!);
                snapshot[$"{number} document {v:D3}"] = Serialize((await licence.GetDocumentAsync($"{v:D3}", LicenseWorld.Issuer))!);
            }

            var holder = await grains.GetGrain<IHolderGrain>(current.Holder.Key).GetLicensesAsync(LicenseWorld.Admin);
            snapshot[$"{number} holder list"] = Serialize(Assert.Single(holder));
        }

        return snapshot;
    }

    private static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Json);
}
