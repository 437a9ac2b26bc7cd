using System.Reflection;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace OrleansLicenses.ApiHost.OpenApi;

/// <summary>
/// The OpenAPI document (<c>/openapi/v1.json</c>) as a product integrators generate clients from: the contract's
/// description and areas (<see cref="ContractDocument"/>), authentication and every error answer of each operation
/// (<see cref="ContractOperations"/>), DESIGN §6.1's bodies as examples (<see cref="ContractExamples"/>). CI lints it
/// with <c>spectral:oas</c> (tests/ApiHost.Tests/Contract).
/// </summary>
public static class OpenApiSetup
{
    public static IServiceCollection AddPlatformOpenApi(this IServiceCollection services) => services.AddOpenApi(options =>
    {
        options.AddDocumentTransformer<ContractDocument>();
        options.AddOperationTransformer<ContractOperations>();
        options.AddOperationTransformer<ContractExamples>();
        options.AddSchemaTransformer(DescribeStrings);
    });

    /// <summary>
    /// The host's JSON options carry a converter for every string (it refuses control characters), and the schema
    /// generator describes a type with a custom converter as "anything". A string is a string: said here again,
    /// with its nullability as the C# declaration states it, and as the items of string arrays.
    /// </summary>
    private static Task DescribeStrings(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo.Type;
        if (context.JsonTypeInfo.Kind == System.Text.Json.Serialization.Metadata.JsonTypeInfoKind.Object && schema.Required is { Count: > 0 } required)
        {
            // Required means "must be present": a member declared nullable, or with a default, may be left out (the
            // request records are all-nullable so that the edge can name each missing field in its 400 itself).
            foreach (var property in context.JsonTypeInfo.Properties.Where(p => p.IsGetNullable || p.AssociatedParameter?.HasDefaultValue == true))
            {
                required.Remove(property.Name);
            }
        }

        if (type == typeof(string) && schema.Type is null)
        {
            schema.Type = JsonSchemaType.String | (IsNullable(context) ? JsonSchemaType.Null : 0);
        }
        else if (schema.Type is { } kind && kind.HasFlag(JsonSchemaType.Array) && schema.Items is null && ElementType(type) == typeof(string))
        {
            schema.Items = new OpenApiSchema { Type = JsonSchemaType.String };
        }

        return Task.CompletedTask;
    }

    private static readonly NullabilityInfoContext Nullability = new();

    private static bool IsNullable(OpenApiSchemaTransformerContext context)
    {
        lock (Nullability)
        {
            return context.JsonPropertyInfo?.AttributeProvider switch
            {
                PropertyInfo property => Nullability.Create(property).ReadState == NullabilityState.Nullable,
                FieldInfo field => Nullability.Create(field).ReadState == NullabilityState.Nullable,
                _ => false,
            };
        }
    }

    private static Type? ElementType(Type type) =>
        type.IsArray ? type.GetElementType()
        : type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];
}
