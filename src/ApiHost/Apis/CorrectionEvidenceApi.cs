using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using OrleansLicenses.ApiHost.Auth;
using OrleansLicenses.ApiHost.Infrastructure;
using OrleansLicenses.Corrections;

namespace OrleansLicenses.ApiHost.Apis;

/// <summary>The evidence file of a correction request: <c>"evidence": {"fileName","contentType","base64"}</c> on filing, and its download.</summary>
public sealed record EvidenceRequest(string? FileName, string? ContentType, string? Base64);

public static class CorrectionEvidenceApi
{
    /// <summary>The decoded file of <paramref name="evidence"/>, or null (with the error recorded) when its base64 is missing, malformed or too long.</summary>
    public static CorrectionEvidence? Parse(EvidenceRequest? evidence, FieldErrors errors)
    {
        if (evidence is null)
        {
            return null;
        }

        if (!errors.Required("evidence.base64", evidence.Base64))
        {
            return null;
        }

        if (evidence.Base64!.Length > (EvidenceLimits.MaxBytes + 3) / 3 * 4 + 4)
        {
            errors.Add("evidence.base64", $"must decode to at most {EvidenceLimits.MaxBytes} bytes");
            return null;
        }

        // Room for one byte more than allowed, so an oversized file is told apart from a malformed one.
        var buffer = new byte[EvidenceLimits.MaxBytes + 1];
        if (!Convert.TryFromBase64String(evidence.Base64, buffer, out var written))
        {
            errors.Add("evidence.base64", "must be base64");
            return null;
        }

        // What the file may be (name, type, content) is the correction grain's rule; it answers every bad part at once.
        return new CorrectionEvidence(evidence.FileName ?? "", evidence.ContentType ?? "", buffer.AsSpan(0, written).ToArray());
    }

    /// <summary>The file, for those who may read the request (requester, issuing unit, admins); 404 for anyone else or when there is none.</summary>
    public static async Task<Results<FileContentHttpResult, ProblemHttpResult, ValidationProblem>> Get(
        string correctionId, ClaimsPrincipal user, HttpContext http, IClusterClient cluster, NpgsqlDataSource db)
    {
        if (!CorrectionRequests.TryParseId(correctionId, out var id))
        {
            return new FieldErrors().Add("correctionId", "must be a UUID").ToProblem();
        }

        var view = await cluster.GetGrain<ICorrectionGrain>(id).GetAsync(user.ToCaller(http));
        if (view?.Evidence is null)
        {
            return Problems.NotFound("No such evidence file.");
        }

        await using var cmd = db.CreateCommand("SELECT content, content_type, file_name FROM correction_evidence WHERE correction_id = $1");
        cmd.Parameters.AddWithValue(id);
        await using var reader = await cmd.ExecuteReaderAsync();
        if (!await reader.ReadAsync())
        {
            return Problems.NotFound("No such evidence file.");
        }

        return StoredFiles.Download(http, reader.GetFieldValue<byte[]>(0), reader.GetString(1), reader.GetString(2));
    }
}
