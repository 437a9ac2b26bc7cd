using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OrleansLicenses.Journal;
using OrleansLicenses.Tests.Infrastructure;
using OrleansLicenses.Tests.Licenses;

namespace OrleansLicenses.Tests.Verification;

/// <summary>Its own cluster, because a silo is killed.</summary>
public sealed class KillableApiFixture : ApiFixture;

/// <summary>
/// The use archive is written in the silo (<see cref="VerificationJournal"/>, group commit) and a verification is
/// answered only after its use record has committed. So the process that matters is the silo whose journal holds
/// records not yet written: this test holds the journal's commit (a lock on the archive table), kills that silo
/// while the records are pending, and then checks every answer.
/// </summary>
public sealed class ArchiveDurabilityTests(KillableApiFixture fixture) : IClassFixture<KillableApiFixture>
{
    private const int Verifications = 40;

    [Fact]
    public async Task SiloKilledWhileItsUseRecordsArePending_AnswersNoneOfThem200_AndEvery200HasItsRow()
    {
        using var admin = await fixture.AsAdminAsync();
        await Demo.SeedAsync(admin);
        var (issuerId, issuerSecret) = await fixture.RegisterClientAsync("issuer", Demo.HarbinMarket);
        var (hallId, hallSecret) = await fixture.RegisterClientAsync("verifier", Demo.HarbinCentre);
        using var issuer = await fixture.AsClientAsync(issuerId, issuerSecret);
        using var hall = await fixture.AsClientAsync(hallId, hallSecret);
        var holder = LicenseApiTests.NewCompany();
        var id = (await (await issuer.PostAsJsonAsync("/api/licenses", LicenseApiTests.IssueBody(holder))).ReadJson()).GetProperty("id").GetString();
        object Request() => new { licenseId = id, holder = new { idType = "001", idNumber = holder }, matterCode = Demo.FoodMatter, purpose = "durability" };

        // One verification before the hold: the licence grain is active, and we learn which silo holds it.
        using (var first = await hall.PostAsJsonAsync("/api/verifications", Request()))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        // Hold every journal commit: the archive table is locked, so use records wait in the journal unwritten.
        await using var blocker = new NpgsqlConnection(fixture.ConnectionString);
        await blocker.OpenAsync();
        var hold = await blocker.BeginTransactionAsync();
        await using (var lockTable = new NpgsqlCommand("LOCK TABLE license_uses IN ACCESS EXCLUSIVE MODE", blocker, hold))
        {
            await lockTable.ExecuteNonQueryAsync();
        }

        var answers = Enumerable.Range(0, Verifications).Select(async _ =>
        {
            using var response = await hall.PostAsJsonAsync("/api/verifications", Request());
            return (response.StatusCode, Id: response.StatusCode == HttpStatusCode.OK ? (await response.ReadJson()).GetProperty("verificationId").GetString() : null);
        }).ToArray();

        // Wait (bounded) until the verifications are pending in one silo's journal, then kill that silo. The journal
        // gives up on a record after 5 s, so the kill must come well before that.
        var journals = fixture.Silos.Hosts.Select(h => h.Services.GetRequiredService<VerificationJournal>()).ToArray();
        var deadline = DateTime.UtcNow.AddSeconds(3);
        while (journals.Max(j => j.Waiting) < Verifications && DateTime.UtcNow < deadline && !answers.All(a => a.IsCompleted))
        {
            await Task.Delay(10);
        }

        var victim = Array.FindIndex(journals, j => j.Waiting == journals.Max(k => k.Waiting));
        var pendingAtKill = journals[victim].Waiting;
        Assert.True(pendingAtKill > 0, "no use record was pending when the silo was killed: the test would prove nothing");
        await fixture.Silos.KillAsync(victim);
        await hold.RollbackAsync();

        var results = await Task.WhenAll(answers).WaitAsync(TimeSpan.FromSeconds(90));

        // The killed silo never committed what it held, so at least that many verifications were not answered 200.
        var ok = results.Where(r => r.StatusCode == HttpStatusCode.OK).Select(r => Guid.Parse(r.Id!)).ToArray();
        Assert.True(Verifications - ok.Length >= pendingAtKill, $"{ok.Length} answered 200, though {pendingAtKill} were pending in the killed silo");
        Assert.All(results, r => Assert.NotEqual(HttpStatusCode.InternalServerError, r.StatusCode));

        // And every verification that was answered 200 has its use record.
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM license_uses WHERE id = ANY($1)", connection);
        cmd.Parameters.AddWithValue(ok);
        Assert.Equal((long)ok.Length, (long)(await cmd.ExecuteScalarAsync())!);
    }
}
