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
        TypeCode = new Text(scenario.TypeCode),
        Holder = new HolderRequest
        {
            IdType = new Text(scenario.Holder.IdType), IdNumber = new Text(scenario.Holder.IdNumber), Name = new Text(scenario.Holder.Name),
        },
        Fields = fields,
        ValidFrom = new Text(scenario.ValidFrom),
    }) ?? throw new InvalidOperationException("no licence in the answer");
    var licenseId = Text.Read(issued.Id, "id");

    step = $"POST /api/me/licenses/{licenseId}/presentations";
    var presentation = await holder.Client.Api.Me.Licenses[licenseId].Presentations.PostAsync(new PresentationRequest
    {
        Purpose = new Text(scenario.Purpose), TtlSeconds = 300,
    }) ?? throw new InvalidOperationException("no presentation in the answer");

    step = "POST /api/verifications";
    var verified = await verifier.Client.Api.Verifications.PostAsync(new VerifyRequest
    {
        PresentationToken = new Text(Text.Read(presentation.Token, "token")),
        MatterCode = new Text(scenario.MatterCode),
        Purpose = new Text(scenario.Purpose),
        CaseNumber = new Text(scenario.CaseNumber),
    }) ?? throw new InvalidOperationException("no verification in the answer");
    var verificationId = Text.Read(verified.VerificationId, "verificationId");

    step = $"GET /api/verifications/{verificationId}";
    var record = await verifier.Client.Api.Verifications[verificationId].GetAsync()
        ?? throw new InvalidOperationException("no use record in the answer");

    var result = new DriverResult(
        licenseId, Text.Read(issued.Status, "status"), Text.Read(presentation.LicenseId, "licenseId"), verificationId,
        verified.Valid ?? throw new InvalidOperationException("no 'valid' in the answer"),
        Text.Read(verified.License?.Id, "license.id"),
        new UseRecordResult(
            Text.Read(record.VerificationId, "verificationId"), Text.Read(record.LicenseIdentifier, "licenseIdentifier"),
            Text.Read(record.LicenseVersion, "licenseVersion"), Text.Read(record.MatterCode, "matterCode"), Text.Read(record.Purpose, "purpose"),
            Text.Read(record.Basis, "basis"), Text.ReadOptional(record.CaseNumber), record.Valid ?? throw new InvalidOperationException("no 'valid' in the record")));
    Console.WriteLine(JsonSerializer.Serialize(result, json));
    return 0;
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
