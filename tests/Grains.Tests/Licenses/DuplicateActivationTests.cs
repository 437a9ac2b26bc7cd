using System.Text.Json;
using Orleans.Storage;
using OrleansLicenses.Errors;
using OrleansLicenses.Holders;
using OrleansLicenses.Licenses;
using Xunit.Abstractions;

namespace OrleansLicenses.Tests.Licenses;

/// <summary>
/// Orleans can briefly run two activations of one grain during cluster changes. Here that split brain is forced:
/// two independent clusters (different cluster ids, so neither knows the other's grain directory) with the same
/// service id on the same database each activate the same licence grain and issue it at the same moment.
/// </summary>
public sealed class DuplicateActivationTests(ITestOutputHelper output)
{
    private const int Rounds = 20;

    [Fact]
    public async Task IssueAsync_SameNumberOnTwoClustersAtOnce_GivesExactlyOneLicence_AndTheOtherIsRefused()
    {
        var connectionString = await PlatformDatabase.CreateAsync();
        var left = await TestClusters.StartAsync(connectionString);
        var right = await TestClusters.StartAsync(connectionString);
        try
        {
            Assert.NotEqual(left.Options.ClusterId, right.Options.ClusterId);
            Assert.Equal(left.Options.ServiceId, right.Options.ServiceId);
            await LicenseWorld.SeedAsync(left.Client);
            var today = TestCalendar.Today;
            var refusals = new Dictionary<string, int>(StringComparer.Ordinal);
            var numbers = new List<string>();

            for (var round = 0; round < Rounds; round++)
            {
                var number = LicenseWorld.Number(LicenseWorld.NewSerial("SB"));
                numbers.Add(number);

                // Even rounds: the very same request reaches both activations (a retried call during a cluster change).
                // Odd rounds: different holders, so the holder grains do not meet and the race is decided by the licence row alone.
                var holderLeft = LicenseWorld.NewHolder();
                var holderRight = round % 2 == 0 ? holderLeft : LicenseWorld.NewHolder();
                var commandLeft = LicenseWorld.Issue(holderLeft, today, operatorName: round % 2 == 0 ? "同一经营者" : "左侧经营者");
                var commandRight = round % 2 == 0 ? commandLeft : LicenseWorld.Issue(holderRight, today, operatorName: "右侧经营者");

                var attempts = await Task.WhenAll(
                    Attempt(left.Client, number, commandLeft),
                    Attempt(right.Client, number, commandRight));

                // One licence wins. The other side is refused — or, for the very same request arriving after the
                // winner's write was visible to it, answered with that same licence (a retried issuance gets the
                // licence it created). Never two licences.
                var winners = attempts.Where(a => a.View is not null).Select(a => a.View!).ToList();
                Assert.NotEmpty(winners);
                Assert.Single(winners.DistinctBy(v => (v.Id, v.Signature.Value)));
                var winner = winners[0];
                if (winners.Count == 2)
                {
                    Assert.True(round % 2 == 0, $"Round {round}: two different requests both succeeded");
                    refusals["same request answered with the winner's licence"] = refusals.GetValueOrDefault("same request answered with the winner's licence") + 1;
                }
                else
                {
                    var loser = Assert.Single(attempts, a => a.View is null).Error!;
                    var refusal = loser switch
                    {
                        DomainException { Kind: DomainErrorKind.Conflict } d => d.Code,
                        InconsistentStateException => nameof(InconsistentStateException),
                        _ => throw new Xunit.Sdk.XunitException($"Round {round}: the losing activation failed with {loser.GetType().Name}: {loser.Message}"),
                    };
                    refusals[refusal] = refusals.GetValueOrDefault(refusal) + 1;
                }

                // Exactly one licence in the grain state table, and it is the winner's (the signature identifies it).
                var stored = Assert.Single(await LicenseWorld.StoredLicenseRows(connectionString, left.Client, number));
                using (var json = JsonDocument.Parse(stored.Json))
                {
                    var versions = json.RootElement.GetProperty("Versions");
                    Assert.Equal(1, versions.GetArrayLength());
                    Assert.Equal(winner.Id, versions[0].GetProperty("Identifier").GetString());
                    Assert.Equal(winner.Signature.Value, versions[0].GetProperty("Signature").GetString());
                    Assert.Equal(winner.Holder.IdNumber, versions[0].GetProperty("Holder").GetProperty("IdNumber").GetString());
                    Assert.Equal(winner.Fields["operatorName"], versions[0].GetProperty("Fields").GetProperty("operatorName").GetString());
                    Assert.Equal(1, json.RootElement.GetProperty("History").GetArrayLength());
                }

                // Exactly one row in the read model, the winner's.
                var row = Assert.Single(await LicenseWorld.ReadModelRows(connectionString, number));
                Assert.Equal((winner.Id, winner.Holder.IdNumber, "valid", 1), row);

                // The winning side reads the winner back; only the winner's holder lists the licence.
                var winnerClient = ReferenceEquals(attempts[0].View, winner) ? left.Client : right.Client;
                var loserClient = ReferenceEquals(winnerClient, left.Client) ? right.Client : left.Client;
                var reread = await winnerClient.GetGrain<ILicenseGrain>(number).GetAsync(null, LicenseWorld.Issuer);
                Assert.Equal(winner.Signature, reread?.Signature);
                var listed = await winnerClient.GetGrain<IHolderGrain>(winner.Holder.Key).GetLicensesAsync(LicenseWorld.Admin);
                Assert.Single(listed, l => l.LicenseNumber == number && l.CurrentId == winner.Id);
                if (holderLeft != holderRight)
                {
                    var otherHolder = winner.Holder == holderLeft ? holderRight : holderLeft;
                    Assert.DoesNotContain(await loserClient.GetGrain<IHolderGrain>(otherHolder.Key).GetLicensesAsync(LicenseWorld.Admin), l => l.LicenseNumber == number);
                }
            }

            foreach (var (code, count) in refusals.OrderBy(r => r.Key, StringComparer.Ordinal))
            {
                output.WriteLine($"losing activation refused with {code}: {count}");
            }

            // The split brain was real: in some rounds both activations got as far as writing the licence, and the
            // storage's unique key (not the grain's in-memory check) decided.
            Assert.True(refusals.GetValueOrDefault("license.concurrent_write") > 0, "No round reached the concurrent write.");

            // Nothing else was written for these numbers: one state row and one read-model row per number.
            foreach (var number in numbers)
            {
                Assert.Single(await LicenseWorld.StoredLicenseRows(connectionString, left.Client, number));
                Assert.Single(await LicenseWorld.ReadModelRows(connectionString, number));
            }
        }
        finally
        {
            await StopAsync(left);
            await StopAsync(right);
        }
    }

    private static async Task<(LicenseView? View, Exception? Error)> Attempt(IGrainFactory grains, string number, IssueLicense command)
    {
        // Start both calls before either is awaited; Task.Yield lets the other side get going too.
        await Task.Yield();
        try
        {
            return (await grains.GetGrain<ILicenseGrain>(number).IssueAsync(command, LicenseWorld.Issuer), null);
        }
        catch (Exception e) when (e is DomainException or OrleansException)
        {
            return (null, e);
        }
    }

    private static async Task StopAsync(Orleans.TestingHost.InProcessTestCluster cluster)
    {
        await cluster.StopAllSilosAsync();
        await cluster.DisposeAsync();
    }
}
