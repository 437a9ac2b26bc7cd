using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OrleansLicenses.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansLicenses.Tests.Security;

/// <summary>
/// At least 10 000 malformed requests derived from the OpenAPI document — wrong types, boundary values,
/// full-width digits, NUL, overlong strings, duplicate keys, deep nesting, wrong content types, invalid UTF-8 —
/// sent with every kind of credential. No answer may be a 5xx; every error is problem+json without a stack trace.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class FuzzTests(ApiFixture fixture, ITestOutputHelper output)
{
    private static readonly string[] NastyStrings =
    [
        "", " ", "\0", "a\0b", new string('x', 5000), "１２３４５６７８９０１２３４５６７８", "230102１９９００１０１１２３４",
        "'; DROP TABLE licenses; --", "<script>alert(1)</script>", "../../etc/passwd", "%00", "\u202e", "😀", "\uFEFF",
        "-1", "0", "99999999999999999999999999", "1e309", "NaN", "null", "true", "[]", "{}", "1.2.156.3005.2", "1.2.156.3005.2.....",
        "11230000000000019J001.11230100000000027J.", "91230102MA1B2C3D8j", "230102199002301234", $"{TestCalendar.Today.Year}-02-30", "9999-12-31T99:99:99Z",
    ];

    [Fact]
    public async Task TenThousandMalformedRequests_NoServerErrors_AndProblemBodiesWithoutStackTraces()
    {
        using var admin = await fixture.AsAdminAsync();
        await Demo.SeedAsync(admin);
        var (issuerId, issuerSecret) = await fixture.RegisterClientAsync("issuer", Demo.HarbinMarket);
        var (verifierId, verifierSecret) = await fixture.RegisterClientAsync("verifier", Demo.HarbinCentre);
        var clients = new[]
        {
            fixture.Anonymous(), admin, await fixture.AsClientAsync(issuerId, issuerSecret), await fixture.AsClientAsync(verifierId, verifierSecret),
            await fixture.AsHolderAsync("001", "91230102MA1B2C3D8J", "示例"),
        };
        var (operations, document) = await OpenApiOperation.LoadAsync(clients[0]);
        var random = new Random(20261128);
        var failures = new List<string>();
        var sent = 0;
        var statuses = new Dictionary<int, int>();
        while (sent < 10_000)
        {
            foreach (var op in operations.Where(o => !o.Path.StartsWith("/dashboard", StringComparison.Ordinal)))
            {
                var http = clients[random.Next(clients.Length)];
                using var request = Build(op, document, random);
                using var response = await http.SendAsync(request);
                sent++;
                var status = (int)response.StatusCode;
                statuses[status] = statuses.GetValueOrDefault(status) + 1;
                var body = await response.Content.ReadAsStringAsync();
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
        }

        output.WriteLine($"sent {sent} requests; statuses: {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"))}");
        Assert.True(failures.Count == 0, $"{failures.Count} bad answers, first ones:\n{string.Join('\n', failures.Distinct().Take(15))}");
    }

    internal static HttpRequestMessage Build(OpenApiOperation op, JsonElement document, Random random)
    {
        // NUL in a path is refused by the in-memory test transport itself (Kestrel answers 400); bodies and queries carry it.
        var path = op.Fill(_ => Uri.EscapeDataString(Pick(random).Replace("\0", "", StringComparison.Ordinal) is { Length: > 0 } v ? v : "x"));
        var query = string.Join('&', op.QueryParameters.Where(_ => random.Next(2) == 0).Select(q => $"{q}={Uri.EscapeDataString(Pick(random))}"));
        var request = new HttpRequestMessage(new HttpMethod(op.Method), query.Length > 0 ? $"{path}?{query}" : path);
        if (op.Method is "POST" or "PUT" or "PATCH" || random.Next(10) == 0)
        {
            request.Content = Body(op, document, random);
        }

        return request;
    }

    private static HttpContent Body(OpenApiOperation op, JsonElement document, Random random)
    {
        var contentType = op.ContentTypes.Count > 0 ? op.ContentTypes[0] : "application/json";
        switch (random.Next(12))
        {
            case 0:
                return Raw(Encoding.UTF8.GetBytes("{\"a\":1}"), random.Next(2) == 0 ? "text/plain" : "application/xml");
            case 1:
                return Raw([0x7B, 0x22, 0xC3, 0x28, 0x22, 0x3A, 0x31, 0x7D], contentType); // invalid UTF-8
            case 2:
                return Raw(Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("[", 200)) + string.Concat(Enumerable.Repeat("]", 200))), contentType);
            case 3:
                return Raw(Encoding.UTF8.GetBytes("{\"name\":\"a\",\"name\":\"b\",\"role\":\"admin\",\"role\":\"issuer\"}"), contentType);
            case 4:
                return Raw(Encoding.UTF8.GetBytes(Pick(random)), contentType);
            case 5:
                return Raw([], contentType);
            default:
                var value = Generate(op.BodySchema, document, random, depth: 0) ?? new JsonObject();
                Mutate(value, random);
                return Raw(Encoding.UTF8.GetBytes(value.ToJsonString()), contentType.StartsWith("application/json", StringComparison.Ordinal) ? contentType : "application/json");
        }
    }

    private static ByteArrayContent Raw(byte[] bytes, string contentType)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return content;
    }

    /// <summary>A roughly well-typed value for the schema, which <see cref="Mutate"/> then breaks.</summary>
    private static JsonNode? Generate(JsonElement? schema, JsonElement document, Random random, int depth)
    {
        if (schema is not { } s || depth > 5)
        {
            return null;
        }

        if (s.TryGetProperty("$ref", out var reference))
        {
            var name = reference.GetString()!.Split('/')[^1];
            return document.GetProperty("components").GetProperty("schemas").TryGetProperty(name, out var target) ? Generate(target, document, random, depth + 1) : null;
        }

        var type = s.TryGetProperty("type", out var t) ? (t.ValueKind == JsonValueKind.Array ? t[0].GetString() : t.GetString()) : "object";
        switch (type)
        {
            case "object":
                var obj = new JsonObject();
                if (s.TryGetProperty("properties", out var properties))
                {
                    foreach (var p in properties.EnumerateObject())
                    {
                        obj[p.Name] = Generate(p.Value, document, random, depth + 1);
                    }
                }

                return obj;
            case "array":
                return new JsonArray(Generate(s.TryGetProperty("items", out var items) ? items : null, document, random, depth + 1));
            case "integer" or "number":
                return random.Next(3) switch { 0 => 0, 1 => int.MaxValue, _ => -1 };
            case "boolean":
                return true;
            default:
                return Pick(random);
        }
    }

    private static void Mutate(JsonNode node, Random random)
    {
        if (node is not JsonObject obj || obj.Count == 0)
        {
            return;
        }

        var keys = obj.Select(p => p.Key).ToList();
        for (var i = 0; i < 1 + random.Next(3); i++)
        {
            var key = keys[random.Next(keys.Count)];
            obj[key] = random.Next(8) switch
            {
                0 => 12345,
                1 => new JsonArray(1, 2, 3),
                2 => new JsonObject { ["nested"] = Pick(random) },
                3 => null,
                4 => true,
                5 => 1e300,
                _ => Pick(random),
            };
        }

        if (random.Next(4) == 0)
        {
            obj["unexpected" + random.Next(100)] = Pick(random);
        }
    }

    internal static string Pick(Random random) => NastyStrings[random.Next(NastyStrings.Length)];

    private static string Truncate(string s) => s.Length > 300 ? s[..300] : s;
}
