using System.Text.Json;

namespace OrleansLicenses.Tests.Security;

/// <summary>One operation of the OpenAPI document, with what a request generator needs.</summary>
public sealed record OpenApiOperation(string Method, string Path, IReadOnlyList<string> PathParameters, IReadOnlyList<string> QueryParameters,
    IReadOnlyList<string> ContentTypes, JsonElement? BodySchema)
{
    public string Key => $"{Method} {Path}";

    public static async Task<(List<OpenApiOperation> Operations, JsonElement Document)> LoadAsync(HttpClient http)
    {
        var document = JsonDocument.Parse(await http.GetStringAsync("/openapi/v1.json")).RootElement.Clone();
        var operations = new List<OpenApiOperation>();
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var op in path.Value.EnumerateObject())
            {
                var parameters = op.Value.TryGetProperty("parameters", out var p) ? p.EnumerateArray().ToList() : [];
                var content = op.Value.TryGetProperty("requestBody", out var body) && body.TryGetProperty("content", out var c)
                    ? c.EnumerateObject().ToList() : [];
                operations.Add(new OpenApiOperation(op.Name.ToUpperInvariant(), path.Name,
                    [.. parameters.Where(x => x.GetProperty("in").GetString() == "path").Select(x => x.GetProperty("name").GetString()!)],
                    [.. parameters.Where(x => x.GetProperty("in").GetString() == "query").Select(x => x.GetProperty("name").GetString()!)],
                    [.. content.Select(x => x.Name)],
                    content.Count > 0 && content[0].Value.TryGetProperty("schema", out var schema) ? schema : null));
            }
        }

        return (operations, document);
    }

    /// <summary>The path with each parameter replaced by the given value (already URL-safe).</summary>
    public string Fill(Func<string, string> value)
    {
        var result = Path;
        foreach (var name in PathParameters)
        {
            result = result.Replace("{" + name + "}", value(name), StringComparison.Ordinal);
        }

        return result;
    }
}
