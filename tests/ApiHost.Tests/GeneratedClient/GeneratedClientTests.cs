using System.Diagnostics;
using System.Net;
using System.Text.Json;
using OrleansLicenses.Identifiers;
using OrleansLicenses.Tests.Infrastructure;
using OrleansLicenses.Tests.Licenses;
using Xunit.Abstractions;

namespace OrleansLicenses.Tests.GeneratedClient;

/// <summary>
/// A client generated from the served OpenAPI document works: Kiota (the tool pinned in .config/dotnet-tools.json)
/// generates a C# client from GET /openapi/v1.json into a fresh folder, tests/GeneratedClient compiles it with a small
/// driver, and the driver, in its own process, issues, presents, verifies and reads the use record through it
/// against the platform served by Kestrel. Only the callers' tokens are minted outside the generated client.
/// </summary>
[Collection(KestrelApiCollection.Name)]
public sealed class GeneratedClientTests(KestrelApiFixture fixture, ITestOutputHelper output) : IDisposable
{
    private const string HolderName = "哈尔滨示例餐饮有限公司";
    private const string Purpose = "办理食品经营许可变更";


    private static readonly TimeSpan ToolLimit = TimeSpan.FromMinutes(3);

    private readonly string work = Directory.CreateTempSubdirectory("ol-generated-client-").FullName;

    public void Dispose() => Directory.Delete(work, recursive: true);

    [Fact]
    public async Task AClientGeneratedFromTheServedDocument_IssuesPresentsVerifiesAndReadsTheUseRecord()
    {
        // The world, with plain HTTP: the catalogue and units, an issuing and an in-scope verifying system, a holder.
        using (var admin = await fixture.AsAdminAsync())
        {
            await Demo.SeedAsync(admin);
        }

        var (issuerId, issuerSecret) = await fixture.RegisterClientAsync("issuer", Demo.HarbinMarket);
        var (verifierId, verifierSecret) = await fixture.RegisterClientAsync("verifier", Demo.HarbinCentre);
        var holderCode = LicenseApiTests.NewCompany();
        var caseNumber = $"GC-{Guid.NewGuid():N}";
        var scenario = JsonSerializer.Serialize(new
        {
            baseUrl = fixture.BaseAddress.ToString(),
            issuerToken = await fixture.TokenAsync(issuerId, issuerSecret),
            holderToken = await fixture.HolderTokenAsync("001", holderCode, HolderName),
            verifierToken = await fixture.TokenAsync(verifierId, verifierSecret),
            typeCode = Demo.FoodType,
            holder = new { idType = "001", idNumber = holderCode, name = HolderName },
            fields = new Dictionary<string, string> { ["operatorName"] = HolderName, ["address"] = "哈尔滨市南岗区示例路1号", ["category"] = "餐饮服务经营者" },
            validFrom = TestCalendar.Iso(),
            matterCode = Demo.FoodMatter,
            purpose = Purpose,
            caseNumber,
        });

        // The document as an integrator downloads it, and a client generated from it afresh.
        var document = Path.Combine(work, "openapi.json");
        using (var anonymous = fixture.Anonymous())
        {
            await File.WriteAllTextAsync(document, await anonymous.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)));
        }

        var client = Path.Combine(work, "client");
        var bin = Path.Combine(work, "bin");
        await StepAsync(["tool", "restore"]);
        await StepAsync(["kiota", "generate", "-l", "CSharp", "-d", document, "-o", client, "-n", "OrleansLicenses.Client", "-c", "LicensesClient",
            "--exclude-backward-compatible", "--clean-output"]);
        Assert.True(File.Exists(Path.Combine(client, "LicensesClient.cs")), "Kiota wrote no LicensesClient.cs");
        await StepAsync(["build", Path.Combine(Root, "tests", "GeneratedClient", "GeneratedClient.csproj"), "-c", "Release", "--no-incremental",
            "-nodeReuse:false", $"-p:GeneratedClientDir={client}", "-o", bin]);
        var run = await StepAsync([Path.Combine(bin, "OrleansLicenses.GeneratedClientDriver.dll")], scenario);

        // What the platform answered the generated client.
        var result = JsonDocument.Parse(run.Stdout).RootElement;
        var licenseId = result.GetProperty("licenseId").GetString()!;
        var verificationId = result.GetProperty("verificationId").GetString()!;
        Assert.True(LicenseIdentifier.TryParse(licenseId, out var identifier, out var error), error);
        Assert.Equal("valid", result.GetProperty("licenseStatus").GetString());
        Assert.Equal(licenseId, result.GetProperty("presentedLicenseId").GetString());
        Assert.True(result.GetProperty("valid").GetBoolean(), run.Stdout);
        Assert.Equal(licenseId, result.GetProperty("verifiedLicenseId").GetString());
        var record = result.GetProperty("record");
        Assert.Equal(verificationId, record.GetProperty("verificationId").GetString());
        Assert.Equal((licenseId, identifier.Version), (record.GetProperty("licenseIdentifier").GetString(), record.GetProperty("licenseVersion").GetString()));
        Assert.Equal((Demo.FoodMatter, Purpose, "presentation", caseNumber), (record.GetProperty("matterCode").GetString(),
            record.GetProperty("purpose").GetString(), record.GetProperty("basis").GetString(), record.GetProperty("caseNumber").GetString()));
        Assert.True(record.GetProperty("valid").GetBoolean());

        // And what the platform holds: the licence, for the holder named, and the use record in the archive.
        using var issuer = await fixture.AsClientAsync(issuerId, issuerSecret);
        using var read = await issuer.GetAsync(new Uri($"/api/licenses/{licenseId}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(holderCode, (await read.ReadJson()).GetProperty("holder").GetProperty("idNumber").GetString());
        Assert.Equal(1L, await fixture.ScalarAsync(
            "SELECT count(*) FROM license_uses WHERE id = $1::uuid AND case_number = $2 AND valid AND license_version = $3", verificationId, caseNumber, identifier.Version));
    }

    /// <summary>Runs one dotnet command in the repository (where the tool manifest is); fails the test, with
    /// everything the command said, unless it exits 0.</summary>
    private async Task<DotnetResult> StepAsync(string[] arguments, string? stdin = null)
    {
        var clock = Stopwatch.StartNew();
        var result = await Dotnet.RunAsync(Root, ToolLimit, arguments, stdin);
        output.WriteLine($"{result.Command} ({clock.Elapsed.TotalSeconds:0.0} s, exit {result.ExitCode})");
        if (arguments[0] == "kiota")
        {
            output.WriteLine(result.Stdout + result.Stderr); // Kiota's warnings about the document
        }

        Assert.True(result.ExitCode == 0, result.Transcript);
        return result;
    }

    /// <summary>The repository's root: the folder above the test binaries that holds the solution.</summary>
    private static string Root => RepositoryRoot.Path;
}
