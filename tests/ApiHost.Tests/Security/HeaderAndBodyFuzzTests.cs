using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OrleansLicenses.Tests.Infrastructure;
using OrleansLicenses.Tests.Licenses;
using Xunit.Abstractions;

namespace OrleansLicenses.Tests.Security;

/// <summary>
/// The sibling of <see cref="FuzzTests"/> for what it leaves alone: random <c>Authorization</c>, <c>Idempotency-Key</c>
/// and <c>Audit-Purpose</c> values (any bytes HTTP allows in a field value, long ones, odd schemes), and chunked
/// bodies (no Content-Length) larger than the configured limit. No answer is a 5xx, every error is a problem, a
/// chunked body over the limit sent to an operation that takes a body is always a 4xx, and nothing is written that
/// was not answered as written.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class HeaderAndBodyFuzzTests(ApiFixture fixture, ITestOutputHelper output)
{
    private const int MaxBodyBytes = 65536; // ApiFixture's Limits:MaxRequestBodyBytes
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task FuzzedAuthorizationIdempotencyKeyAndAuditPurpose_NoServerErrors_AndOnlyAnsweredIssuesAreWritten()
    {
        var (clients, issuer, operations, document) = await SetUpAsync();
        var (licencesBefore, issuesAuditedBefore) = await WrittenAsync();
        var random = new Random(20261203);
        var failures = new List<string>();
        var statuses = new Dictionary<int, int>();
        var issuedIds = new HashSet<string>(StringComparer.Ordinal);
        var issuedAnswers = 0;
        var clock = Stopwatch.StartNew();
        var sent = 0;
        while (sent < 3000 && clock.Elapsed < Budget)
        {
            // One in four is a well-formed issuance under fuzzed headers, so some pass the checks and get written.
            var issue = random.Next(4) == 0;
            var op = issue ? null : operations[random.Next(operations.Count)];
            using var request = issue
                ? new HttpRequestMessage(HttpMethod.Post, "/api/licenses") { Content = JsonContent.Create(LicenseApiTests.IssueBody(LicenseApiTests.NewCompany())) }
                : FuzzTests.Build(op!, document, random);
            FuzzHeaders(request, random);
            var http = issue ? issuer : clients[random.Next(clients.Length)];
            using var response = await http.SendAsync(request);
            sent++;
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            var body = await response.Content.ReadAsStringAsync();
            Check(failures, request, response, body);
            if (request.Method == HttpMethod.Post && request.RequestUri?.AbsolutePath == "/api/licenses" && status == 201)
            {
                issuedAnswers++;
                issuedIds.Add(JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!);
            }
        }

        output.WriteLine($"sent {sent} requests in {clock.Elapsed.TotalSeconds:F1} s; statuses: {Statuses(statuses)}");
        Assert.True(failures.Count == 0, $"{failures.Count} bad answers, first ones:\n{string.Join('\n', failures.Distinct().Take(15))}");
        Assert.True(sent >= 500, $"only {sent} requests within the budget");
        Assert.True(issuedAnswers > 0, "no well-formed issuance got through: the test exercises nothing that writes");
        var (licencesAfter, issuesAuditedAfter) = await WrittenAsync();
        // A licence per distinct id answered 201 (a replayed Idempotency-Key answers the first one again), and an
        // outcome record per 201: nothing refused left a licence or a "succeeded" record behind.
        Assert.Equal(issuedIds.Count, licencesAfter - licencesBefore);
        Assert.Equal(issuedAnswers, issuesAuditedAfter - issuesAuditedBefore);
    }

    [Fact]
    public async Task ChunkedBodiesOverTheLimit_AreRefusedWith4xxProblems_AndWriteNothing()
    {
        var (clients, issuer, operations, _) = await SetUpAsync();
        var writes = operations.Where(o => o.Method is "POST" or "PUT" or "PATCH").ToList();
        var (licencesBefore, issuesAuditedBefore) = await WrittenAsync();
        var random = new Random(20261204);
        var failures = new List<string>();
        var statuses = new Dictionary<int, int>();
        var clock = Stopwatch.StartNew();
        var sent = 0;
        for (var round = 0; round < 10 && clock.Elapsed < Budget; round++)
        {
            foreach (var op in writes)
            {
                var issue = op.Path == "/api/licenses" && op.Method == "POST";
                var path = op.Fill(_ => "x");
                using var request = new HttpRequestMessage(new HttpMethod(op.Method), path) { Content = Chunked(OversizedBody(issue, random), op) };
                request.Headers.TransferEncodingChunked = true; // no Content-Length: the limit can only be met while reading
                if (random.Next(2) == 0)
                {
                    request.Headers.TryAddWithoutValidation("Idempotency-Key", Guid.NewGuid().ToString("N"));
                }

                var http = issue && round % 2 == 0 ? issuer : clients[random.Next(clients.Length)];
                using var response = await http.SendAsync(request);
                sent++;
                var status = (int)response.StatusCode;
                statuses[status] = statuses.GetValueOrDefault(status) + 1;
                var body = await response.Content.ReadAsStringAsync();
                // An operation that takes no body never reads one (POST /api/admin/audit/checkpoints): it may succeed.
                if (op.ContentTypes.Count > 0 && status is < 400 or >= 500)
                {
                    failures.Add($"{status} for a chunked body over the limit: {request.Method} {request.RequestUri}: {Truncate(body)}");
                }

                if (issue && http == issuer && status != 413)
                {
                    failures.Add($"{status} for a well-formed issuance padded past the limit (expected 413): {Truncate(body)}");
                }

                Check(failures, request, response, body);
            }
        }

        output.WriteLine($"sent {sent} oversized chunked bodies in {clock.Elapsed.TotalSeconds:F1} s; statuses: {Statuses(statuses)}");
        Assert.True(failures.Count == 0, $"{failures.Count} bad answers, first ones:\n{string.Join('\n', failures.Distinct().Take(15))}");
        Assert.True(statuses.GetValueOrDefault(413) > 0, "no body reached the limit (every request was refused before its body was read)");
        Assert.Equal((licencesBefore, issuesAuditedBefore), await WrittenAsync());
    }

    private static readonly string[] Schemes = ["Bearer", "bearer", "BEARER", "Basic", "Digest", "Negotiate", "NTLM", "Token", "Bearer\t", "", "Bearer Bearer"];

    /// <summary>Field values HTTP allows (visible ASCII, space, tab, obs-text) — never CR, LF or NUL, which no server passes on.</summary>
    private static string FieldValue(Random random, int maxLength)
    {
        var length = random.Next(4) == 0 ? maxLength : random.Next(0, 64);
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = random.Next(10) switch
            {
                0 => (char)random.Next(0x80, 0x100), // obs-text
                1 => '\t',
                _ => (char)random.Next(0x20, 0x7F),
            };
        }

        return new string(chars);
    }

    private static void FuzzHeaders(HttpRequestMessage request, Random random)
    {
        if (random.Next(3) != 0)
        {
            request.Headers.Authorization = null;
            var value = random.Next(8) switch
            {
                0 => FieldValue(random, 8000),
                1 => $"{Schemes[random.Next(Schemes.Length)]} {FieldValue(random, 4000)}",
                2 => "Bearer eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJyb2xlIjoiYWRtaW4iLCJjbGllbnRfaWQiOiJhZG1pbiJ9.",
                3 => "Bearer " + string.Join('.', Enumerable.Range(0, random.Next(1, 6)).Select(_ => Convert.ToBase64String(Encoding.UTF8.GetBytes(FieldValue(random, 300))))),
                4 => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{FieldValue(random, 100)}:{FieldValue(random, 100)}")),
                5 => "Basic !!!" + FieldValue(random, 50),
                6 => "Bearer " + new string('A', random.Next(1, 16_000)),
                _ => Schemes[random.Next(Schemes.Length)],
            };
            request.Headers.TryAddWithoutValidation("Authorization", value);
        }

        if (random.Next(2) == 0)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", random.Next(5) switch
            {
                0 => FieldValue(random, 5000),
                1 => new string('k', 128 + random.Next(0, 3)),
                2 => " ",
                3 => FuzzTests.Pick(random).Replace("\0", "", StringComparison.Ordinal) is { Length: > 0 } p && p.All(c => c is >= ' ' and < '\u0100') ? p : "x",
                _ => Guid.NewGuid().ToString("N")[..random.Next(1, 32)],
            });
        }

        if (random.Next(2) == 0)
        {
            request.Headers.TryAddWithoutValidation("Audit-Purpose", random.Next(6) switch
            {
                0 => FieldValue(random, 10_000),
                1 => "%",
                2 => "%E4%B8", // a truncated UTF-8 sequence
                3 => "%00%0D%0A%1B[31m",
                4 => string.Concat(Enumerable.Repeat(Uri.EscapeDataString("办理食品经营许可变更"), random.Next(1, 400))),
                _ => "%ZZ%" + FieldValue(random, 100),
            });
        }
    }

    private static byte[] OversizedBody(bool issue, Random random)
    {
        var size = MaxBodyBytes + 1 + random.Next(0, 2 * MaxBodyBytes);
        if (issue || random.Next(2) == 0)
        {
            // Well-formed JSON that would be accepted if it were small: only its size refuses it.
            var json = JsonSerializer.SerializeToUtf8Bytes(LicenseApiTests.IssueBody(LicenseApiTests.NewCompany()));
            var padded = new byte[Math.Max(size, json.Length + 1)];
            Array.Fill(padded, (byte)' ');
            json.CopyTo(padded, 0);
            return padded;
        }

        var bytes = new byte[size];
        random.NextBytes(bytes);
        return bytes;
    }

    private static StreamContent Chunked(byte[] body, OpenApiOperation op)
    {
        var content = new StreamContent(new MemoryStream(body), 8192);
        content.Headers.TryAddWithoutValidation("Content-Type", op.ContentTypes.Count > 0 ? op.ContentTypes[0] : "application/json");
        return content;
    }

    private static void Check(List<string> failures, HttpRequestMessage request, HttpResponseMessage response, string body)
    {
        var status = (int)response.StatusCode;
        if (status >= 500)
        {
            failures.Add($"{status} {request.Method} {request.RequestUri}: {Truncate(body)}");
        }
        else if (status >= 400 && status != 405 && response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            failures.Add($"{status} without problem+json {request.Method} {request.RequestUri}: {Truncate(body)}");
        }
        else if (body.Contains("   at ", StringComparison.Ordinal) || body.Contains("Exception", StringComparison.Ordinal))
        {
            failures.Add($"{status} exposes internals {request.Method} {request.RequestUri}: {Truncate(body)}");
        }
    }

    private async Task<(HttpClient[] Clients, HttpClient Issuer, List<OpenApiOperation> Operations, JsonElement Document)> SetUpAsync()
    {
        var admin = await fixture.AsAdminAsync();
        await Demo.SeedAsync(admin);
        var (issuerId, issuerSecret) = await fixture.RegisterClientAsync("issuer", Demo.HarbinMarket);
        var (verifierId, verifierSecret) = await fixture.RegisterClientAsync("verifier", Demo.HarbinCentre);
        var issuer = await fixture.AsClientAsync(issuerId, issuerSecret);
        var clients = new[]
        {
            fixture.Anonymous(), admin, issuer, await fixture.AsClientAsync(verifierId, verifierSecret),
            await fixture.AsHolderAsync("001", "91230102MA1B2C3D8J", "示例"),
        };
        var (operations, document) = await OpenApiOperation.LoadAsync(clients[0]);
        return (clients, issuer, [.. operations.Where(o => !o.Path.StartsWith("/dashboard", StringComparison.Ordinal))], document);
    }

    /// <summary>Licences in the read model, and "succeeded" outcome records of issuances in the audit trail.</summary>
    private async Task<(long Licences, long IssuesAudited)> WrittenAsync() => (
        Convert.ToInt64(await fixture.ScalarAsync("SELECT count(*) FROM licenses"), System.Globalization.CultureInfo.InvariantCulture),
        Convert.ToInt64(await fixture.ScalarAsync("SELECT count(*) FROM audit_records WHERE action = 'IssueLicense' AND outcome = 'succeeded'"),
            System.Globalization.CultureInfo.InvariantCulture));

    private static string Statuses(Dictionary<int, int> statuses) => string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"));

    private static string Truncate(string s) => s.Length > 300 ? s[..300] : s;
}
