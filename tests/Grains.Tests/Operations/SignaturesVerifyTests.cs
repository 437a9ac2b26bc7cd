using Npgsql;
using OrleansLicenses.Licenses;
using OrleansLicenses.Silo.Operations;
using OrleansLicenses.Tests.Licenses;

namespace OrleansLicenses.Tests.Operations;

/// <summary>
/// <c>signatures-verify</c> (what deploy/verify-restore.sh runs on a restored database): every stored version
/// verifies against its chain, and a document edited in the database — re-canonicalised or not — fails it.
/// </summary>
public sealed class SignaturesVerifyTests
{
    [Fact]
    public async Task SignaturesVerify_WhenIntact_ExitsZero_AndWhenADocumentIsTampered_ReportsThatVersionAndExitsOne()
    {
        var connectionString = await PlatformDatabase.CreateAsync();
        var cluster = await TestClusters.StartAsync(connectionString);
        string tampered, untouched, changedId;
        try
        {
            await LicenseWorld.SeedAsync(cluster.Client);
            tampered = LicenseWorld.Number(LicenseWorld.NewSerial());
            untouched = LicenseWorld.Number(LicenseWorld.NewSerial());
            await cluster.Client.GetGrain<ILicenseGrain>(tampered)
                .IssueAsync(LicenseWorld.Issue(LicenseWorld.NewHolder(), TestCalendar.Today, operatorName: "Tamper Target Ltd"), LicenseWorld.Issuer);
            await cluster.Client.GetGrain<ILicenseGrain>(untouched).IssueAsync(LicenseWorld.Issue(LicenseWorld.NewHolder(), TestCalendar.Today), LicenseWorld.Issuer);
            changedId = (await cluster.Client.GetGrain<ILicenseGrain>(untouched)
                .ChangeAsync(new ChangeLicense(LicenseWorld.Fields(address: "哈尔滨市道里区新址2号"), null, "经营场所变更"), LicenseWorld.Issuer)).Id;
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }

        var (code, output) = await RunAsync(connectionString);
        Assert.True(code == 0, output);
        await using (var dataSource = NpgsqlDataSource.Create(connectionString))
        {
            var intact = await StoredSignatureVerifier.VerifyAsync(dataSource, null);
            Assert.True(intact.Intact);
            Assert.Equal((2, 3, 3), (intact.Licenses, intact.Versions, intact.FeedEntries));
        }

        // The signed text and the face data edited together: still canonical and consistent, but not what was signed.
        await ExecuteAsync(connectionString, $"UPDATE license_state SET state = replace(state::text, 'Tamper Target Ltd', 'Tamper Target Inc')::json WHERE license_number = '{tampered}'");
        (code, output) = await RunAsync(connectionString);
        Assert.True(code == 1, output);
        await using (var dataSource = NpgsqlDataSource.Create(connectionString))
        {
            var broken = await StoredSignatureVerifier.VerifyAsync(dataSource, null);
            // The tampered version fails its signature, its feed entry no longer matches; the other licence is clean.
            Assert.Equal(
                [(tampered, "feed-mismatch"), (tampered, "signature-invalid")],
                broken.Failures.Select(f => (f.LicenseNumber, f.Reason)).OrderBy(f => f.Reason, StringComparer.Ordinal).ToList());
            Assert.DoesNotContain(broken.Failures, f => f.LicenseNumber == untouched);
        }

        // Only the face data edited (the signed text left alone): the stored licence no longer says what was signed.
        await ExecuteAsync(connectionString, $"UPDATE license_state SET state = replace(state::text, '\"address\":\"', '\"address\":\"X')::json WHERE license_number = '{untouched}'");
        await using (var dataSource = NpgsqlDataSource.Create(connectionString))
        {
            var broken = await StoredSignatureVerifier.VerifyAsync(dataSource, null);
            Assert.Contains(broken.Failures, f => f.LicenseNumber == untouched && f.Identifier == changedId && f.Reason == "state-mismatch");
        }
    }

    private static async Task<(int Code, string Output)> RunAsync(string connectionString)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await SignaturesCommandLine.RunAsync(["--connection", connectionString], stdout, stderr);
        return (code, stdout + "" + stderr);
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        Assert.Equal(1, await cmd.ExecuteNonQueryAsync());
    }
}
