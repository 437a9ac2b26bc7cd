using OrleansLicenses.Hosting;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using OrleansLicenses.ApiHost.Auth;
using OrleansLicenses.ApiHost.Infrastructure;
using OrleansLicenses.Catalog;
using OrleansLicenses.Identifiers;

namespace OrleansLicenses.ApiHost.Apis;

/// <summary>The licence-type catalogue (证照目录): administrators define, any authenticated caller reads.</summary>
public static class CatalogApi
{
    public static IEndpointRouteBuilder MapCatalogApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/catalog/types").WithTags("Catalogue");
        group.MapPut("/{typeCode}", Define).RequireAuthorization(Policies.Admin)
            .WithName("DefineLicenseType").WithSummary("Creates or changes a licence type; each change is a new catalogue version.");
        group.MapGet("/", List).RequireAuthorization(Policies.AnyAuthenticated)
            .WithName("ListLicenseTypes").WithSummary("Pages through the catalogue (read model).");
        group.MapGet("/{typeCode}", Get).RequireAuthorization(Policies.AnyAuthenticated)
            .WithName("GetLicenseType").WithSummary("A licence type, current or at a catalogue version.");
        group.MapPut("/{typeCode}/files/{kind}", AttachFile).RequireAuthorization(Policies.Admin)
            .WithName("AttachLicenseTypeFile").WithSummary("Uploads the template, sample or seal image (raw body, Content-Type checked).")
            .Accepts<byte[]>("application/pdf", "image/png", "image/jpeg", "image/svg+xml");
        group.MapGet("/{typeCode}/files/{kind}", GetFile).RequireAuthorization(Policies.AnyAuthenticated)
            .WithName("GetLicenseTypeFile").WithSummary("Downloads an attached file.")
            .Produces<byte[]>(StatusCodes.Status200OK, "application/pdf", "image/png", "image/jpeg", "image/svg+xml");
        return app;
    }

    public static async Task<Results<Ok<LicenseTypeView>, ValidationProblem>> Define(
        string typeCode, LicenseTypeDefinition body, ClaimsPrincipal user, HttpContext http, IClusterClient cluster)
    {
        // Orleans refuses a blank grain key outright (ArgumentException, a 500); any other malformed code is the grain's to refuse.
        if (string.IsNullOrWhiteSpace(typeCode))
        {
            return new FieldErrors().Add("typeCode", "is required").ToProblem();
        }

        var definition = body with { PublicFields = body.PublicFields ?? [], Fields = body.Fields ?? [] };
        // The rules of a definition are the licence-type grain's; it answers every broken one at once.
        return TypedResults.Ok(await cluster.Get<ILicenseTypeGrain>(typeCode).DefineAsync(definition, user.ToCaller(http)));
    }

    public sealed record TypeSummary(string TypeCode, string Name, string DefiningAuthorityCode, string HolderCategory,
        bool PublicDisclosure, string Sensitivity, bool MultipleInstances, int CatalogVersion, DateTimeOffset UpdatedAt);

    public static async Task<Ok<PagedResult<TypeSummary>>> List(int? page, int? pageSize, string? authority, NpgsqlDataSource db)
    {
        var paging = Paging.From(page, pageSize);
        await using var cmd = db.CreateCommand("""
            SELECT type_code, name, defining_authority, holder_category, public_disclosure, sensitivity, multiple_instances,
                   catalog_version, updated_at, count(*) OVER ()
            FROM catalog_types
            WHERE ($1::text IS NULL OR defining_authority = $1)
            ORDER BY type_code
            LIMIT $2 OFFSET $3
            """);
        cmd.Parameters.AddWithValue(NpgsqlTypes.NpgsqlDbType.Text, (object?)authority ?? DBNull.Value);
        cmd.Parameters.AddWithValue(paging.PageSize);
        cmd.Parameters.AddWithValue(paging.Offset);
        return TypedResults.Ok(await paging.ReadAsync(cmd, reader =>
        {
            return new TypeSummary(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                reader.GetBoolean(4), reader.GetString(5), reader.GetBoolean(6), reader.GetInt32(7), reader.GetFieldValue<DateTimeOffset>(8));
        }));
    }

    public static async Task<Results<Ok<LicenseTypeView>, ProblemHttpResult, ValidationProblem>> Get(string typeCode, int? version, IClusterClient cluster)
    {
        if (!LicenseIdentifier.TryValidateTypeCode(typeCode, out var error))
        {
            return new FieldErrors().Add("typeCode", error).ToProblem();
        }

        var view = await cluster.Get<ILicenseTypeGrain>(typeCode).GetAsync(version);
        return view is null ? Problems.NotFound("No such licence type.") : TypedResults.Ok(view);
    }

    public static async Task<Results<Ok<LicenseTypeView>, ValidationProblem, ProblemHttpResult>> AttachFile(
        string typeCode, string kind, HttpRequest request, ClaimsPrincipal user, HttpContext http, IClusterClient cluster)
    {
        var errors = new FieldErrors();
        if (!LicenseIdentifier.TryValidateTypeCode(typeCode, out var codeError))
        {
            errors.Add("typeCode", codeError);
        }

        var contentType = request.ContentType?.Split(';')[0].Trim().ToLowerInvariant() ?? "";
        if (!CatalogTerms.FileKinds.ContainsKey(kind))
        {
            errors.Add("kind", $"must be one of {string.Join(", ", CatalogTerms.FileKinds.Keys)}");
        }

        if (request.ContentLength is null or > CatalogTerms.MaxFileBytes)
        {
            errors.Add("file", $"send the file with a Content-Length of at most {CatalogTerms.MaxFileBytes} bytes");
        }

        if (errors.Any)
        {
            return errors.ToProblem();
        }

        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        var file = new CatalogFile(kind, contentType, buffer.ToArray());
        return TypedResults.Ok(await cluster.Get<ILicenseTypeGrain>(typeCode).AttachFileAsync(file, user.ToCaller(http)));
    }

    public static async Task<Results<FileContentHttpResult, ProblemHttpResult, ValidationProblem>> GetFile(string typeCode, string kind, HttpContext http, IClusterClient cluster)
    {
        var errors = new FieldErrors();
        errors.Check("typeCode", typeCode, LicenseIdentifier.TryValidateTypeCode);
        if (!CatalogTerms.FileKinds.ContainsKey(kind))
        {
            errors.Add("kind", $"must be one of {string.Join(", ", CatalogTerms.FileKinds.Keys)}");
        }

        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var file = await cluster.Get<ILicenseTypeGrain>(typeCode).GetFileAsync(kind);
        return file is null ? Problems.NotFound("No such file.")
            : StoredFiles.Download(http, file.Content, file.ContentType, $"{typeCode}-{kind}{Extension(file.ContentType)}");
    }

    private static string Extension(string contentType) => contentType switch
    {
        "application/pdf" => ".pdf",
        "image/png" => ".png",
        "image/jpeg" => ".jpg",
        "image/svg+xml" => ".svg",
        _ => "",
    };
}
