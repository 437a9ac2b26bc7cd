using System.Text.Encodings.Web;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace OrleansLicenses.ApiHost.Imports;

/// <summary>Who uploads what: the header row of the stored import.</summary>
public sealed record ImportRequest(Guid Id, string IssuerCode, string? RegionCode, string ClientId, string Kind, string TypeCode, string Format, string Encoding);

/// <summary>What was stored.</summary>
public sealed record StoredUpload(int Total, int LastLine);

/// <summary>
/// Stores an upload durably before anything processes it: the records stream through one binary COPY into
/// <c>import_rows</c>, and the <c>imports</c> row (with the count) is inserted in the same transaction, so a silo
/// finds a whole upload or none, and the API host keeps nothing of it. Memory stays bounded by one record.
/// </summary>
public static class ImportUpload
{
    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <exception cref="UploadUnreadableException">The upload cannot be read as a whole; nothing was stored.</exception>
    public static async Task<StoredUpload> StoreAsync(NpgsqlDataSource db, ImportRequest request, IAsyncEnumerable<UploadRecord> records, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var total = 0;
        var lastLine = 0;
        await using (var copy = await connection.BeginBinaryImportAsync(
            "COPY import_rows (import_id, line, record, problem_field, problem) FROM STDIN (FORMAT BINARY)", ct))
        {
            await foreach (var record in records.WithCancellation(ct))
            {
                await copy.StartRowAsync(ct);
                await copy.WriteAsync(request.Id, NpgsqlDbType.Uuid, ct);
                await copy.WriteAsync(record.Line, NpgsqlDbType.Integer, ct);
                if (record.Columns is null)
                {
                    await copy.WriteNullAsync(ct);
                    await copy.WriteAsync(record.ProblemField ?? "row", NpgsqlDbType.Text, ct);
                    await copy.WriteAsync(record.Problem ?? "could not be read", NpgsqlDbType.Text, ct);
                }
                else
                {
                    await copy.WriteAsync(JsonSerializer.Serialize(record.Columns, Json), NpgsqlDbType.Json, ct);
                    await copy.WriteNullAsync(ct);
                    await copy.WriteNullAsync(ct);
                }

                total++;
                lastLine = record.Line;
            }

            if (total == 0)
            {
                throw new UploadUnreadableException("body", "holds no records");
            }

            await copy.CompleteAsync(ct);
        }

        await using var insert = new NpgsqlCommand("""
            INSERT INTO imports (id, issuer_code, region_code, client_id, kind, type_code, format, encoding, total, last_line)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            """, connection, transaction);
        insert.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = request.Id });
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = request.IssuerCode });
        insert.Parameters.Add(new NpgsqlParameter { Value = (object?)request.RegionCode ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Char });
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = request.ClientId });
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = request.Kind });
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = request.TypeCode });
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = request.Format });
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = request.Encoding });
        insert.Parameters.Add(new NpgsqlParameter<int> { TypedValue = total });
        insert.Parameters.Add(new NpgsqlParameter<int> { TypedValue = lastLine });
        await insert.ExecuteNonQueryAsync(ct);
        await transaction.CommitAsync(ct);
        return new StoredUpload(total, lastLine);
    }
}
