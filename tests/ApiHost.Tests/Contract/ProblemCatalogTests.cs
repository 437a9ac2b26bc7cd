using System.Text.RegularExpressions;
using OrleansLicenses.ApiHost.OpenApi;

namespace OrleansLicenses.Tests.Contract;

/// <summary>The catalogue the OpenAPI document prints is the list of codes the code base answers with, no more and no less.</summary>
public sealed partial class ProblemCatalogTests
{
    [Fact]
    public void EveryCodeTheSourceAnswersWith_IsInTheCatalogue_AndEveryCatalogueCodeIsAnswered()
    {
        var catalogue = ProblemCatalog.Everywhere.Concat(ProblemCatalog.Domain).Select(e => e.Code).ToHashSet(StringComparer.Ordinal);
        var source = Directory.EnumerateFiles(Path.Combine(RepositoryRoot.Path, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.EndsWith("ProblemCatalog.cs", StringComparison.Ordinal))
            .SelectMany(File.ReadLines)
            .ToList();
        // Field paths of validation errors look like codes but are not.
        string[] fieldPaths = ["holder.name", "operator.name"];
        var answered = source.SelectMany(line => Code().Matches(line).Select(m => m.Groups[1].Value))
            .Except(fieldPaths).ToHashSet(StringComparer.Ordinal);

        Assert.Empty(answered.Except(catalogue).Order(StringComparer.Ordinal));
        Assert.Empty(catalogue.Except(answered).Where(code => ProblemCatalog.DefaultCode(StatusOf(code)) != code).Order(StringComparer.Ordinal));
    }

    private static int StatusOf(string code) => ProblemCatalog.Everywhere.Concat(ProblemCatalog.Domain).First(e => e.Code == code).Status;

    [GeneratedRegex("""(?<![\w.])"((?:license|catalog|unit|client|holder|authorization|correction|verification|request|auth|resource|idempotency|concurrency|rate|service|audit|cluster|webhook|notification|server|presentation|inspect)\.[a-z_]+)"(?!\w)""")]
    private static partial Regex Code();
}
