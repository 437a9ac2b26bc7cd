using OrleansLicenses.Audit;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OrleansLicenses.ApiHost.Audit;
using OrleansLicenses.Identifiers;
using OrleansLicenses.Tests.Infrastructure;
using OrleansLicenses.Tests.Licenses;

namespace OrleansLicenses.Tests.Audit;

/// <summary>The audit trail through the real host, connected as a restricted database role.</summary>
[Collection(AuditCollection.Name)]
public sealed class AuditTrailTests(AuditFixture fixture)
{
    [Fact]
    public async Task Write_CommitsAnAttemptBeforeAndALinkedOutcomeAfter()
    {
        var (issuer, issuerId) = await IssuerAsync();
        using (issuer)
        {
            var id = await IssueAsync(issuer);
            using var admin = await fixture.AsAdminAsync();

            var records = Items(await Records(admin, $"actor={issuerId}&action=IssueLicense"));
            Assert.Equal(2, records.Count);
            var (outcome, attempt) = (records[0], records[1]);
            Assert.Equal(AuditOutcomes.Attempted, attempt.GetProperty("outcome").GetString());
            Assert.Equal(JsonValueKind.Null, attempt.GetProperty("status").ValueKind);
            Assert.Equal("/api/licenses", attempt.GetProperty("resource").GetString());
            Assert.Equal(AuditOutcomes.Succeeded, outcome.GetProperty("outcome").GetString());
            Assert.Equal(201, outcome.GetProperty("status").GetInt32());
            Assert.Equal(attempt.GetProperty("seq").GetInt64(), outcome.GetProperty("attemptSeq").GetInt64());
            Assert.Equal($"/api/licenses/{id}", outcome.GetProperty("resource").GetString());
            Assert.Equal(attempt.GetProperty("requestId").GetString(), outcome.GetProperty("requestId").GetString());
            foreach (var r in records)
            {
                Assert.Equal(AuditKinds.Write, r.GetProperty("kind").GetString());
                Assert.Equal("issuer", r.GetProperty("role").GetString());
                Assert.Equal(Demo.HarbinMarket, r.GetProperty("unitCode").GetString());
            }

            var verify = await (await admin.GetAsync("/api/admin/audit/verify")).ReadJson();
            Assert.True(verify.GetProperty("intact").GetBoolean(), verify.ToString());
        }
    }

    [Fact]
    public async Task RevokedInsertPrivilege_WritesAre503AndChangeNothing_ReadsAreWithheld()
    {
        var (issuer, _) = await IssuerAsync();
        using (issuer)
        {
            var existing = await IssueAsync(issuer);
            var serial = NewSerial();
            var number = LicenseNumber.Create(Demo.FoodType, Demo.HarbinMarket, serial).ToString();

            await fixture.ExecuteAsync($"REVOKE INSERT ON audit_records FROM {AuditFixture.WriterRole}");
            try
            {
                using var issue = await issuer.PostAsJsonAsync("/api/licenses", LicenseApiTests.IssueBody(LicenseApiTests.NewCompany(), serial));
                var problem = await ProblemAssert.IsProblem(issue, HttpStatusCode.ServiceUnavailable);
                Assert.Equal("audit.unavailable", problem.GetProperty("code").GetString());
                Assert.True(issue.Headers.RetryAfter is not null, "503 without Retry-After");

                using var suspend = await issuer.PostAsJsonAsync($"/api/licenses/{existing}/events", new { type = "suspend", reason = "责令停业整顿" });
                await ProblemAssert.IsProblem(suspend, HttpStatusCode.ServiceUnavailable);

                // A read of personal data is not answered without its record either.
                using var read = await issuer.GetAsync($"/api/licenses/{existing}");
                var withheld = await ProblemAssert.IsProblem(read, HttpStatusCode.ServiceUnavailable);
                Assert.DoesNotContain("operatorName", withheld.ToString(), StringComparison.Ordinal);
            }
            finally
            {
                await fixture.ExecuteAsync($"GRANT INSERT ON audit_records TO {AuditFixture.WriterRole}");
            }

            // Nothing changed: no grain state, no read-model row, the existing licence not suspended.
            Assert.Equal(0L, await fixture.ScalarAsync<long>("SELECT count(*) FROM licenses WHERE license_number = $1", number));
            Assert.Equal(0L, await fixture.ScalarAsync<long>(
                "SELECT count(*) FROM orleansstorage WHERE strpos(concat(grainidextensionstring, convert_from(payloadbinary, 'UTF8')), $1) > 0", serial));
            Assert.Equal(0L, await fixture.ScalarAsync<long>(
                "SELECT count(*) FROM grain_states WHERE strpos(concat(grain_key, state::text), $1) > 0", serial));
            Assert.Equal(HttpStatusCode.NotFound, (await issuer.GetAsync($"/api/licenses/{number}")).StatusCode);
            var current = await (await issuer.GetAsync($"/api/licenses/{existing}")).ReadJson();
            Assert.Equal("valid", current.GetProperty("status").GetString());

            // The audit trail was the only obstacle: the same request now succeeds, and the chain is whole.
            using var retried = await issuer.PostAsJsonAsync("/api/licenses", LicenseApiTests.IssueBody(LicenseApiTests.NewCompany(), serial));
            Assert.Equal(HttpStatusCode.Created, retried.StatusCode);
            using var admin = await fixture.AsAdminAsync();
            var verify = await (await admin.GetAsync("/api/admin/audit/verify")).ReadJson();
            Assert.True(verify.GetProperty("intact").GetBoolean(), verify.ToString());
        }
    }

    [Fact]
    public async Task DeniedAttempts_AreCountedApart_NotFoundIsRecorded_AndHolderIdsAreMasked()
    {
        var (issuer, issuerId) = await IssuerAsync();
        using (issuer)
        {
            var id = await IssueAsync(issuer);
            using var admin = await fixture.AsAdminAsync();
            var flusher = fixture.Factory.Services.GetRequiredService<DenialFlusher>();
            await flusher.FlushAsync();
            const string anonymousReads = "SELECT coalesce(sum(count), 0)::bigint FROM access_denials WHERE status = 401 AND actor = 'anonymous' AND action = 'GetLicense'";
            var before = await fixture.ScalarAsync<long>(anonymousReads);

            // 401 (no token) and 403 (the wrong role): counted in access_denials, not written to the audit chain.
            using var anonymous = fixture.Anonymous();
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/api/licenses/{id}?probe=401")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await issuer.GetAsync("/api/admin/stats")).StatusCode);
            Assert.Empty(Items(await Records(admin, $"resource={Uri.EscapeDataString("probe=401")}")));
            Assert.Empty(Items(await Records(admin, $"actor={issuerId}&action=GetStatistics")));
            await flusher.FlushAsync();
            Assert.Equal(before + 1, await fixture.ScalarAsync<long>(anonymousReads));
            Assert.Equal(1L, await fixture.ScalarAsync<long>(
                "SELECT coalesce(sum(count), 0)::bigint FROM access_denials WHERE status = 403 AND actor = $1 AND action = 'GetStatistics'", issuerId));

            // 404: another holder's licence (a resource check in the grain).
            var citizen = TestCodes.CitizenId("230102", new DateOnly(1990, 3, 7), Random.Shared.Next(100, 999));
            using var holder = await fixture.AsHolderAsync("111", citizen, "张三");
            Assert.Equal(HttpStatusCode.NotFound, (await holder.GetAsync($"/api/licenses/{id}/history")).StatusCode);
            var notYours = Single(await Records(admin, $"actor=111:{citizen}&action=GetLicenseHistory"));
            Assert.Equal($"111:{CitizenId.Mask(citizen)}", notYours.GetProperty("actor").GetString());
            Assert.Equal(AuditOutcomes.NotFound, notYours.GetProperty("outcome").GetString());
            Assert.Equal("holder", notYours.GetProperty("role").GetString());

            // A failed token request (a successful one leaves no record).
            using var token = await anonymous.PostAsync("/api/auth/token", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = issuerId,
                ["client_secret"] = "not-the-secret",
            }));
            Assert.Equal(HttpStatusCode.Unauthorized, token.StatusCode);
            var failedToken = Single(await Records(admin, $"actor={issuerId}&kind=authentication"));
            Assert.Equal("IssueToken", failedToken.GetProperty("action").GetString());
            Assert.Equal(401, failedToken.GetProperty("status").GetInt32());

            // The full id number is stored nowhere in the trail.
            Assert.Equal(0L, await fixture.ScalarAsync<long>("""
                SELECT count(*) FROM audit_records
                WHERE strpos(concat_ws('|', request_id, actor, actor_ref, resource, purpose), $1) > 0
                """, citizen));
        }
    }

    [Fact]
    public async Task List_FiltersByTimeActorResourceActionAndOutcome_AndPages()
    {
        var started = fixture.Clock.GetUtcNow().AddSeconds(-1);
        var (issuer, issuerId) = await IssuerAsync();
        using (issuer)
        {
            var id = await IssueAsync(issuer);
            for (var i = 0; i < 5; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/licenses/{id}");
                request.Headers.Add(AuditEntryFactory.PurposeHeader, Uri.EscapeDataString("核验经营资格"));
                Assert.Equal(HttpStatusCode.OK, (await issuer.SendAsync(request)).StatusCode);
            }

            using var admin = await fixture.AsAdminAsync();
            var firstPage = await Records(admin, $"actor={issuerId}&action=GetLicense&pageSize=2");
            Assert.Equal(5, firstPage.GetProperty("total").GetInt64());
            var items = Items(firstPage);
            Assert.Equal(2, items.Count);
            Assert.True(items[0].GetProperty("seq").GetInt64() > items[1].GetProperty("seq").GetInt64(), "not newest first");
            Assert.Equal("核验经营资格", items[0].GetProperty("purpose").GetString());
            Assert.Equal(AuditKinds.Read, items[0].GetProperty("kind").GetString());
            Assert.Single(Items(await Records(admin, $"actor={issuerId}&action=GetLicense&pageSize=2&page=3")));

            var touching = await Records(admin, $"actor={issuerId}&resource={Uri.EscapeDataString(id)}");
            Assert.Equal(6, touching.GetProperty("total").GetInt64()); // five reads and the issue's outcome record
            Assert.Equal(1, (await Records(admin, $"actor={issuerId}&resource={Uri.EscapeDataString(id)}&outcome=succeeded&action=IssueLicense"))
                .GetProperty("total").GetInt64());

            var from = Uri.EscapeDataString(started.ToString("O"));
            Assert.Equal(5, (await Records(admin, $"actor={issuerId}&action=GetLicense&from={from}")).GetProperty("total").GetInt64());
            Assert.Equal(0, (await Records(admin, $"actor={issuerId}&action=GetLicense&to={from}")).GetProperty("total").GetInt64());
            var later = Uri.EscapeDataString(fixture.Clock.GetUtcNow().AddHours(1).ToString("O"));
            Assert.Equal(0, (await Records(admin, $"actor={issuerId}&from={later}")).GetProperty("total").GetInt64());

            await ProblemAssert.IsProblem(await admin.GetAsync("/api/admin/audit?from=yesterday"), HttpStatusCode.BadRequest, "from");
            await ProblemAssert.IsProblem(await admin.GetAsync("/api/admin/audit?outcome=maybe"), HttpStatusCode.BadRequest, "outcome");
            Assert.Equal(HttpStatusCode.Forbidden, (await issuer.GetAsync("/api/admin/audit")).StatusCode);
        }
    }

    [Fact]
    public async Task Verify_ReportsAnEditedRecord_CheckpointRefusesIt_AndBothRecoverWhenRestored()
    {
        using var admin = await fixture.AsAdminAsync();
        using var first = await admin.PostAsync("/api/admin/audit/checkpoints", null);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.True((await first.ReadJson()).GetProperty("checkpoint").GetProperty("seq").GetInt64() > 0);

        var (issuer, issuerId) = await IssuerAsync();
        using (issuer)
        {
            await IssueAsync(issuer);
        }

        var target = Items(await Records(admin, $"actor={issuerId}&action=IssueLicense&outcome=succeeded"))[0].GetProperty("seq").GetInt64();
        await AuditTamper.RunAsync(fixture.ConnectionString, "UPDATE audit_records SET outcome = 'failed' WHERE seq = $1", target);
        try
        {
            var broken = await (await admin.GetAsync("/api/admin/audit/verify")).ReadJson();
            Assert.False(broken.GetProperty("intact").GetBoolean());
            Assert.Equal(target, broken.GetProperty("firstBreak").GetProperty("seq").GetInt64());
            Assert.Equal(AuditBreakReasons.HashMismatch, broken.GetProperty("firstBreak").GetProperty("reason").GetString());

            var refused = await ProblemAssert.IsProblem(await admin.PostAsync("/api/admin/audit/checkpoints", null), HttpStatusCode.Conflict);
            Assert.Equal("audit.chain_broken", refused.GetProperty("code").GetString());
            Assert.Equal(target, refused.GetProperty("seq").GetInt64());

            using var output = new StringWriter();
            Assert.Equal(1, await AuditCommandLine.RunAsync(["--connection", fixture.ConnectionString, "--key", fixture.CheckpointKey], output, TextWriter.Null));
            Assert.Contains($"BROKEN at record {target}: hash_mismatch", output.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            await AuditTamper.RunAsync(fixture.ConnectionString, "UPDATE audit_records SET outcome = 'succeeded' WHERE seq = $1", target);
        }

        var whole = await (await admin.GetAsync("/api/admin/audit/verify")).ReadJson();
        Assert.True(whole.GetProperty("intact").GetBoolean(), whole.ToString());
        using var signed = await admin.PostAsync("/api/admin/audit/checkpoints", null);
        Assert.True((await signed.ReadJson()).GetProperty("created").GetBoolean());
    }

    [Fact]
    public async Task AppRole_MayInsertAndRead_ButNeverUpdateDeleteOrTruncateAuditRows()
    {
        foreach (var (privilege, expected) in new[] { ("SELECT", true), ("INSERT", true), ("UPDATE", false), ("DELETE", false), ("TRUNCATE", false) })
        {
            Assert.Equal(expected, await fixture.ScalarAsync<bool>("SELECT has_table_privilege($1, 'audit_records', $2)", fixture.AppRole, privilege));
            Assert.Equal(expected, await fixture.ScalarAsync<bool>("SELECT has_table_privilege($1, 'audit_checkpoints', $2)", fixture.AppRole, privilege));
        }

        await using var connection = new NpgsqlConnection(fixture.AppConnectionString);
        await connection.OpenAsync();
        foreach (var sql in new[] { "UPDATE audit_records SET outcome = 'x'", "DELETE FROM audit_records", "TRUNCATE audit_records", "DELETE FROM audit_checkpoints" })
        {
            await using var cmd = new NpgsqlCommand(sql, connection);
            var refused = await Assert.ThrowsAsync<PostgresException>(() => cmd.ExecuteNonQueryAsync());
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
            Assert.Contains("permission denied", refused.MessageText, StringComparison.Ordinal);
        }
    }

    private async Task<(HttpClient Issuer, string IssuerId)> IssuerAsync()
    {
        using var admin = await fixture.AsAdminAsync();
        await Demo.SeedAsync(admin);
        var (id, secret) = await fixture.RegisterClientAsync("issuer", Demo.HarbinMarket);
        return (await fixture.AsClientAsync(id, secret), id);
    }

    private static async Task<string> IssueAsync(HttpClient issuer)
    {
        using var response = await issuer.PostAsJsonAsync("/api/licenses", LicenseApiTests.IssueBody(LicenseApiTests.NewCompany(), NewSerial()));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.ReadJson()).GetProperty("id").GetString()!;
    }

    private static string NewSerial() => $"AUD{Random.Shared.Next(10_000_000, 99_999_999)}";

    private static async Task<JsonElement> Records(HttpClient admin, string query)
    {
        using var response = await admin.GetAsync($"/api/admin/audit?{query}");
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.ReadJson();
    }

    private static List<JsonElement> Items(JsonElement page) => [.. page.GetProperty("items").EnumerateArray()];

    private static JsonElement Single(JsonElement page)
    {
        var items = Items(page);
        Assert.True(items.Count == 1, $"expected one record, got {items.Count}: {page}");
        return items[0];
    }
}
