using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace OrleansLicenses.ApiHost.OpenApi;

/// <summary>
/// The core bodies of DESIGN §6.1 as request (and a few response) examples, keyed by operation id. The demo codes
/// are synthetic but carry valid check characters, so an example sent as it is passes the identifier checks.
/// </summary>
public sealed class ContractExamples : IOpenApiOperationTransformer
{
    private const string FoodType = "11230000000000019J001";
    private const string LicenseId = "1.2.156.3005.2.11230000000000019J001.11230100000000027J.2026000001.001.U";

    private static readonly Dictionary<string, string> Requests = new(StringComparer.Ordinal)
    {
        ["DefineLicenseType"] = $$"""
            { "name": "食品经营许可证", "definingAuthorityCode": "11230000000000019J", "holderCategory": "organization",
              "fields": [ { "key": "operatorName", "name": "经营者名称", "type": "string", "required": true, "maxLength": 100 },
                          { "key": "address", "name": "经营场所", "type": "string", "required": true },
                          { "key": "category", "name": "主体业态", "type": "enum", "values": ["食品销售经营者", "餐饮服务经营者"] } ],
              "validity": { "years": 5 }, "publicDisclosure": true, "publicFields": ["operatorName", "category"],
              "sensitivity": "normal", "multipleInstances": false }
            """,
        ["DefineUnit"] = $$"""
            { "name": "哈尔滨市市场监督管理局", "regionCode": "230100", "level": "city", "parentUnitCode": "11230000000000019J",
              "issuableTypes": ["{{FoodType}}"],
              "scope": [ { "matterCode": "230100-FOOD-001", "matterName": "食品经营许可变更", "licenseTypes": ["{{FoodType}}"] } ] }
            """,
        ["RegisterClient"] = """{ "name": "哈尔滨市场监管业务系统", "role": "issuer", "unitCode": "11230100000000027J" }""",
        ["IssueLicense"] = $$"""
            { "typeCode": "{{FoodType}}",
              "holder": { "idType": "001", "idNumber": "91230102MA1B2C3D8J", "name": "哈尔滨示例餐饮有限公司" },
              "fields": { "operatorName": "哈尔滨示例餐饮有限公司", "address": "哈尔滨市南岗区示例路1号", "category": "餐饮服务经营者" },
              "validFrom": "2026-11-28", "serial": "2026000001" }
            """,
        ["ChangeLicense"] = """{ "fields": { "address": "哈尔滨市南岗区示例路2号" }, "reason": "经营场所变更" }""",
        ["ApplyLicenseEvent"] = """{ "type": "suspend", "reason": "责令停业整顿", "until": "2027-01-31" }""",
        ["PresentLicense"] = """{ "purpose": "办理食品经营许可变更", "ttlSeconds": 300, "maxUses": 1 }""",
        ["GrantAuthorization"] = $$"""
            { "licenseId": "{{LicenseId}}", "granteeUnitCode": "11230100000000035D", "matterCode": "230100-FOOD-001",
              "purpose": "办理食品经营许可变更", "expiresAt": "2026-12-31T00:00:00Z", "maxUses": 3 }
            """,
        ["VerifyLicense"] = """
            { "presentationToken": "<the token from the holder's QR code>", "matterCode": "230100-FOOD-001", "purpose": "办理食品经营许可变更",
              "caseNumber": "2301002026120100001", "operator": { "name": "李四" },
              "compare": { "operatorName": "哈尔滨示例餐饮有限公司" } }
            """,
        ["ListHolderLicensesForMatter"] = """
            { "holder": { "idType": "001", "idNumber": "91230102MA1B2C3D8J" }, "matterCode": "230100-FOOD-001",
              "purpose": "办理食品经营许可变更", "caseNumber": "2301002026120100001", "operator": { "name": "李四" } }
            """,
    };

    private static readonly Dictionary<(string Operation, string Status), string> Responses = new()
    {
        [("IssueLicense", "201")] = $$"""
            { "id": "{{LicenseId}}", "licenseNumber": "{{FoodType}}.11230100000000027J.2026000001", "typeCode": "{{FoodType}}",
              "issuerCode": "11230100000000027J", "version": "001", "status": "valid", "statusCode": "01",
              "holder": { "idType": "001", "idNumber": "91230102MA1B2C3D8J", "name": "哈尔滨示例餐饮有限公司" },
              "fields": { "operatorName": "哈尔滨示例餐饮有限公司", "address": "哈尔滨市南岗区示例路1号", "category": "餐饮服务经营者" },
              "validFrom": "2026-11-28", "validUntil": "2031-11-27", "catalogVersion": 1, "issuedAt": "2026-11-28T09:30:00+00:00",
              "current": true, "supersededBy": null, "reasons": [],
              "annotations": { "mortgaged": false, "pledged": false, "lastInspectionDate": null, "lastInspectionResult": null,
                               "suspendedUntil": null, "statusReason": null },
              "signature": { "algorithm": "SM2-SM3", "value": "<base64 DER>", "certificate": "<base64 DER X.509>" },
              "currentId": "{{LicenseId}}" }
            """,
        [("DisableClient", "200")] = """
            { "clientId": "hrb-market-system", "name": "哈尔滨市场监管业务系统", "role": "issuer", "unitCode": "11230100000000027J",
              "regionCode": null, "enabled": false, "registeredAt": "2026-11-28T09:30:00+00:00", "registeredBy": "admin", "version": 1 }
            """,
        [("EnableClient", "200")] = """
            { "clientId": "hrb-market-system", "clientSecret": "<the new secret, shown once>", "version": 2, "notice": null }
            """,
        [("RotateClientSecret", "200")] = """
            { "clientId": "hrb-market-system", "clientSecret": "<the new secret, shown once>", "version": 2, "notice": null }
            """,
        [("VerifyLicense", "200")] = $$"""
            { "verificationId": "01938f2e-7c4a-7d1b-9a8e-2f4b6c8d0e1f", "valid": true, "status": "valid", "statusCode": "01", "reasons": [],
              "license": { "id": "{{LicenseId}}", "typeCode": "{{FoodType}}", "typeName": "食品经营许可证", "issuerCode": "11230100000000027J",
                           "version": "001", "holderIdType": "001", "validFrom": "2026-11-28", "validUntil": "2031-11-27", "fields": { } },
              "comparison": { "operatorName": "match" } }
            """,
    };

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (operation.OperationId is not { } id)
        {
            return Task.CompletedTask;
        }

        if (Requests.TryGetValue(id, out var request) && operation.RequestBody?.Content?.TryGetValue("application/json", out var media) == true)
        {
            media.Example = JsonNode.Parse(request);
        }

        foreach (var ((operationId, status), body) in Responses)
        {
            if (operationId == id && operation.Responses?.TryGetValue(status, out var response) == true
                && response.Content?.TryGetValue("application/json", out var content) == true)
            {
                content.Example = JsonNode.Parse(body);
            }
        }

        return Task.CompletedTask;
    }
}
