using System.Diagnostics;
using System.Text.Json;
using OrleansLicenses.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansLicenses.Tests.Contract;

/// <summary>
/// The served OpenAPI document as a product integrators generate clients from: only the platform's own operations,
/// authentication described, every error answer described as problem+json with its codes, and the stock
/// <c>spectral:oas</c> ruleset (the linter pinned in <c>.ci/spectral</c>) finding nothing at all.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class OpenApiContractTests(ApiFixture fixture, ITestOutputHelper output)
{
    private async Task<JsonElement> DocumentAsync()
    {
        using var http = fixture.Anonymous();
        return JsonDocument.Parse(await http.GetStringAsync("/openapi/v1.json")).RootElement.Clone();
    }

    private static IEnumerable<(string Key, JsonElement Operation)> Operations(JsonElement document) =>
        document.GetProperty("paths").EnumerateObject().SelectMany(path => path.Value.EnumerateObject()
            .Where(op => op.Name is "get" or "put" or "post" or "delete" or "patch")
            .Select(op => ($"{op.Name.ToUpperInvariant()} {path.Name}", op.Value)));

    [Fact]
    public async Task Document_DescribesOnlyThePlatformsOwnOperations()
    {
        var document = await DocumentAsync();
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.DoesNotContain(paths, p => p.StartsWith("/dashboard", StringComparison.Ordinal));
        Assert.DoesNotContain(paths, p => p.StartsWith("/api/dev", StringComparison.Ordinal));
        Assert.Contains("/api/verifications/holder-licenses", paths);
        var info = document.GetProperty("info");
        Assert.Contains("电子证照", info.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.Contains("electronic licence", info.GetProperty("description").GetString(), StringComparison.OrdinalIgnoreCase);
        var tags = document.GetProperty("tags").EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!, t => t.GetProperty("description").GetString());
        foreach (var (key, operation) in Operations(document))
        {
            Assert.True(operation.TryGetProperty("operationId", out _), $"{key} has no operationId");
            foreach (var tag in operation.GetProperty("tags").EnumerateArray())
            {
                Assert.True(tags.TryGetValue(tag.GetString()!, out var description) && !string.IsNullOrWhiteSpace(description), $"{key}: tag {tag} is not described");
            }
        }
    }

    [Fact]
    public async Task Document_DescribesAuthentication_TheBearerTokenAndWhereToGetIt()
    {
        var document = await DocumentAsync();
        var schemes = document.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal("bearer", schemes.GetProperty("bearer").GetProperty("scheme").GetString());
        var flow = schemes.GetProperty("clientCredentials").GetProperty("flows").GetProperty("clientCredentials");
        Assert.Equal("/api/auth/token", flow.GetProperty("tokenUrl").GetString());

        var operations = Operations(document).ToDictionary(o => o.Key, o => o.Operation);
        // A protected operation names the schemes; an anonymous one says it needs none.
        Assert.True(operations["POST /api/licenses"].GetProperty("security").GetArrayLength() > 0);
        Assert.Equal(0, operations["GET /api/public/licenses/{id}"].GetProperty("security").GetArrayLength());
        Assert.Equal(0, operations["POST /api/auth/token"].GetProperty("security").GetArrayLength());
    }

    [Fact]
    public async Task EveryOperation_DescribesItsErrorAnswers_AsProblemDetailsWithTheirCodes()
    {
        var document = await DocumentAsync();
        foreach (var (key, operation) in Operations(document))
        {
            var responses = operation.GetProperty("responses");
            var errors = responses.EnumerateObject().Where(r => r.Name[0] is '4' or '5').ToList();
            Assert.Contains(errors, r => r.Name == "503");
            if (operation.GetProperty("security").GetArrayLength() > 0)
            {
                Assert.Contains(errors, r => r.Name == "401");
                Assert.Contains(errors, r => r.Name == "403");
            }

            if (key.Contains('{', StringComparison.Ordinal))
            {
                Assert.Contains(errors, r => r.Name == "404");
            }

            foreach (var error in errors)
            {
                var content = error.Value.GetProperty("content");
                Assert.True(content.TryGetProperty("application/problem+json", out _), $"{key} {error.Name} is not problem+json");
                Assert.Contains("`", error.Value.GetProperty("description").GetString(), StringComparison.Ordinal); // the codes, as `code`
            }
        }

        var issue = Operations(document).Single(o => o.Key == "POST /api/licenses").Operation.GetProperty("responses");
        Assert.Contains("license.holder_has_live_license", issue.GetProperty("409").GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Contains("idempotency.key_reused", issue.GetProperty("422").GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProblemsWrittenByTheFramework_CarryTheDocumentedDefaultCodes()
    {
        using var anonymous = fixture.Anonymous();
        var unauthenticated = await ProblemAssert.IsProblem(await anonymous.GetAsync("/api/licenses"), System.Net.HttpStatusCode.Unauthorized);
        Assert.Equal("auth.unauthenticated", unauthenticated.GetProperty("code").GetString());

        using var admin = await fixture.AsAdminAsync();
        var forbidden = await ProblemAssert.IsProblem(await admin.GetAsync("/api/me/licenses"), System.Net.HttpStatusCode.Forbidden);
        Assert.Equal("auth.forbidden", forbidden.GetProperty("code").GetString());
        var missing = await ProblemAssert.IsProblem(await admin.GetAsync("/api/nothing-here"), System.Net.HttpStatusCode.NotFound);
        Assert.Equal("resource.not_found", missing.GetProperty("code").GetString());
    }

    [Fact]
    public async Task CoreBodies_CarryTheContractsExamples()
    {
        var document = await DocumentAsync();
        var operations = Operations(document).ToDictionary(o => o.Key, o => o.Operation);
        foreach (var key in new[] { "POST /api/licenses", "POST /api/verifications", "PUT /api/catalog/types/{typeCode}", "PUT /api/units/{unitCode}",
                     "POST /api/clients", "POST /api/me/authorizations", "POST /api/licenses/{id}/events" })
        {
            var media = operations[key].GetProperty("requestBody").GetProperty("content").GetProperty("application/json");
            Assert.True(media.TryGetProperty("example", out var example) && example.ValueKind == JsonValueKind.Object, $"{key} has no request example");
        }

        var verifyExample = operations["POST /api/verifications"].GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("example");
        Assert.Equal("230100-FOOD-001", verifyExample.GetProperty("matterCode").GetString());
    }

    [Fact]
    public async Task Spectral_WithTheOasRuleset_FindsNoErrorsAndNoWarnings()
    {
        var root = RepositoryRoot.Path;
        var lint = Path.Combine(root, ".ci", "spectral");
        var spectral = Path.Combine(lint, "node_modules", ".bin", "spectral");
        if (!File.Exists(spectral))
        {
            // The pinned linter (package-lock.json) from the npm registry, once per checkout.
            var (installed, log) = await RunAsync("npm", "ci --no-audit --no-fund", lint);
            Assert.True(installed == 0, log);
        }

        // Kept next to the test assembly (overwritten each run): the document the linter judged, for reading its findings.
        var file = Path.Combine(AppContext.BaseDirectory, "openapi-v1.json");
        using (var http = fixture.Anonymous())
        {
            await File.WriteAllTextAsync(file, await http.GetStringAsync("/openapi/v1.json"));
        }

        var (exit, report) = await RunAsync(spectral, $"lint \"{file}\" --ruleset \"{Path.Combine(lint, ".spectral.yaml")}\" --fail-severity=warn --format text", lint);
        output.WriteLine(report);
        Assert.True(exit == 0, report);
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string program, string arguments, string directory)
    {
        var start = new ProcessStartInfo(program, arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
