using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace OrleansLicenses.Tests.Infrastructure;

public static class ProblemAssert
{
    /// <summary>Asserts the status, the problem+json content type, and (optionally) that a field is named in <c>errors</c>.</summary>
    public static async Task<JsonElement> IsProblem(HttpResponseMessage response, HttpStatusCode status, string? field = null)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("   at ", body, StringComparison.Ordinal); // no stack traces
        var problem = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        if (field is not null)
        {
            Assert.True(problem.TryGetProperty("errors", out var errors) && errors.TryGetProperty(field, out _),
                $"problem does not name field '{field}': {body}");
        }

        return problem;
    }

    /// <summary>Asserts a 400 validation problem that names every one of <paramref name="fields"/> in <c>errors</c>.</summary>
    public static async Task<JsonElement> IsValidationProblem(HttpResponseMessage response, params string[] fields)
    {
        var problem = await IsProblem(response, HttpStatusCode.BadRequest);
        var named = problem.TryGetProperty("errors", out var errors) ? errors.EnumerateObject().Select(e => e.Name).ToList() : [];
        foreach (var field in fields)
        {
            Assert.True(named.Contains(field), $"problem does not name field '{field}': {problem.GetRawText()}");
        }

        return problem;
    }

    public static Task<JsonElement> ReadJson(this HttpResponseMessage response) => response.Content.ReadFromJsonAsync<JsonElement>();
}
