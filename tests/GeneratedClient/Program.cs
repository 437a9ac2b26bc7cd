// Issue → present → verify → use record, every call through the Kiota client generated from the served OpenAPI
// document. Reads a Scenario (JSON) on standard input, prints a DriverResult (JSON) on standard output, and exits
// non-zero, with the reason on standard error, on any refused call or incomplete answer.
using System.Text.Json;
using Microsoft.Kiota.Abstractions;
using OrleansLicenses.Client.Models;
using OrleansLicenses.GeneratedClient;

var json = new JsonSerializerOptions(JsonSerializerDefaults.Web);
Scenario? scenario;
try
{
    scenario = await JsonSerializer.DeserializeAsync<Scenario>(Console.OpenStandardInput(), json);
}
catch (JsonException ex)
{
    await Console.Error.WriteLineAsync($"The scenario on standard input is not valid JSON: {ex.Message}");
    return 2;
}

if (scenario is null)
{
    await Console.Error.WriteLineAsync("No scenario on standard input.");
    return 2;
}

using var issuer = new PlatformClient(scenario.BaseUrl, scenario.IssuerToken);
using var holder = new PlatformClient(scenario.BaseUrl, scenario.HolderToken);
using var verifier = new PlatformClient(scenario.BaseUrl, scenario.VerifierToken);
var step = "POST /api/licenses";
try
{
    var fields = new IssueLicenseRequest_fields();
    foreach (var (key, value) in scenario.Fields)
    {
        fields.AdditionalData[key] = value;
    }

    var issued = await issuer.Client.Api.Licenses.PostAsync(new IssueLicenseRequest
    {
        TypeCode = scenario.TypeCode,
        Holder = new HolderRequest
        {
            IdType = scenario.Holder.IdType, IdNumber = scenario.Holder.IdNumber, Name = scenario.Holder.Name,
        },
        Fields = fields,
        ValidFrom = scenario.ValidFrom,
    }) ?? throw new InvalidOperationException("no licence in the answer");
    var licenseId = Required(issued.Id, "id");

    step = $"POST /api/me/licenses/{licenseId}/presentations";
    var presentation = await holder.Client.Api.Me.Licenses[licenseId].Presentations.PostAsync(new PresentationRequest
    {
        Purpose = scenario.Purpose, TtlSeconds = 300,
    }) ?? throw new InvalidOperationException("no presentation in the answer");

    step = "POST /api/verifications";
    var verified = await verifier.Client.Api.Verifications.PostAsync(new VerifyRequest
    {
        PresentationToken = Required(presentation.Token, "token"),
        MatterCode = scenario.MatterCode,
        Purpose = scenario.Purpose,
        CaseNumber = scenario.CaseNumber,
    }) ?? throw new InvalidOperationException("no verification in the answer");
    var verificationId = Required(verified.VerificationId, "verificationId");

    step = $"GET /api/verifications/{verificationId}";
    var record = await verifier.Client.Api.Verifications[verificationId].GetAsync()
        ?? throw new InvalidOperationException("no use record in the answer");

    var result = new DriverResult(
        licenseId, Required(issued.Status, "status"), Required(presentation.LicenseId, "licenseId"), verificationId,
        verified.Valid ?? throw new InvalidOperationException("no 'valid' in the answer"),
        Required(verified.License?.Id, "license.id"),
        new UseRecordResult(
            Required(record.VerificationId, "verificationId"), Required(record.LicenseIdentifier, "licenseIdentifier"),
            Required(record.LicenseVersion, "licenseVersion"), Required(record.MatterCode, "matterCode"), Required(record.Purpose, "purpose"),
            Required(record.Basis, "basis"), record.CaseNumber, record.Valid ?? throw new InvalidOperationException("no 'valid' in the record")));
    Console.WriteLine(JsonSerializer.Serialize(result, json));
    return 0;
}
catch (Problem problem)
{
    // The document describes every error answer as a problem with its code: the generated client surfaces it typed.
    await Console.Error.WriteLineAsync($"{step}: the platform answered {problem.ResponseStatusCode} {problem.Code}: {problem.Detail}");
    return 1;
}
catch (ApiException ex)
{
    await Console.Error.WriteLineAsync($"{step}: the platform answered {ex.ResponseStatusCode}: {ex.Message}");
    return 1;
}
catch (InvalidOperationException ex)
{
    await Console.Error.WriteLineAsync($"{step}: {ex.Message}");
    return 1;
}

static string Required(string? value, string member) =>
    value ?? throw new InvalidOperationException($"The answer has no '{member}'.");
