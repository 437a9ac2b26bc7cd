using System.Collections.Concurrent;
using Npgsql;

namespace OrleansLicenses.Licenses;

/// <summary>
/// Verifies every licence signature PostgreSQL holds (for a restored backup, or an audit of the live database):
/// each version in <c>license_state</c> by <see cref="StoredSignatureCheck"/>, and each change-feed entry in
/// <c>license_changes</c> must carry exactly the document, signature and certificate of the version it names.
/// Read in one REPEATABLE READ transaction, so a running platform is seen at one instant; the crypto runs on every core.
/// </summary>
public static class StoredSignatureVerifier
{
    public const int MaxReportedFailures = 100;

    private const int BatchSize = 512;

    /// <param name="dataSource">The database.</param>
    /// <param name="pinnedRoot">A root certificate (DER) to trust instead of the one the database publishes.</param>
    /// <param name="ct">Cancellation.</param>
    public static async Task<SignatureReport> VerifyAsync(NpgsqlDataSource dataSource, byte[]? pinnedRoot, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        var published = await PublishedAsync(connection, ct);
        var root = pinnedRoot ?? published.Root
            ?? throw new InvalidOperationException("published_certificates holds no current root certificate (pass --root).");

        var failures = new ConcurrentBag<SignatureFailure>();
        var documents = new ConcurrentDictionary<string, (string Canonical, byte[] Signature, byte[] Certificate)>(StringComparer.Ordinal);
        int licenses = 0, versions = 0;
        await using (var cmd = new NpgsqlCommand("SELECT license_number, state::text, revision FROM license_state ORDER BY license_number", connection))
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
        {
            var batch = new List<(string Number, string Json, int Revision)>(BatchSize);
            while (await reader.ReadAsync(ct))
            {
                batch.Add((reader.GetString(0), reader.GetString(1), reader.GetInt32(2)));
                if (batch.Count == BatchSize)
                {
                    versions += CheckBatch(batch, root, published.Units, documents, failures);
                    licenses += batch.Count;
                    batch.Clear();
                }
            }

            versions += CheckBatch(batch, root, published.Units, documents, failures);
            licenses += batch.Count;
        }

        var feed = await CompareFeedAsync(connection, documents, failures, ct);
        await transaction.CommitAsync(ct);
        var listed = failures.OrderBy(f => f.LicenseNumber, StringComparer.Ordinal).ThenBy(f => f.Identifier, StringComparer.Ordinal).ToList();
        return new SignatureReport(
            StoredSignatureCheck.Fingerprint(root), pinnedRoot is null ? "database" : "pinned", licenses, versions, feed,
            listed.Take(MaxReportedFailures).ToList(), listed.Count);
    }

    private static int CheckBatch(
        List<(string Number, string Json, int Revision)> batch,
        byte[] root,
        IReadOnlyDictionary<string, string?> published,
        ConcurrentDictionary<string, (string, byte[], byte[])> documents,
        ConcurrentBag<SignatureFailure> failures)
    {
        var count = 0;
        Parallel.ForEach(batch, row =>
        {
            LicenseState state;
            try
            {
                state = LicenseStore.Parse(row.Number, row.Json, row.Revision);
            }
            catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException)
            {
                failures.Add(new SignatureFailure(row.Number, "", "state-unreadable"));
                return;
            }

            if (state.Versions.Count == 0 || $"{state.TypeCode}.{state.IssuerCode}.{state.Serial}" != row.Number)
            {
                failures.Add(new SignatureFailure(row.Number, "", "state-mismatch"));
            }

            foreach (var version in state.Versions)
            {
                Interlocked.Increment(ref count);
                documents[version.Identifier] = (version.Canonical, version.Signature, version.Certificate);
                if (StoredSignatureCheck.FirstFailure(state, version, root, published) is { } reason)
                {
                    failures.Add(new SignatureFailure(row.Number, version.Identifier, reason));
                }
            }
        });
        return count;
    }

    private static async Task<int> CompareFeedAsync(
        NpgsqlConnection connection,
        ConcurrentDictionary<string, (string Canonical, byte[] Signature, byte[] Certificate)> documents,
        ConcurrentBag<SignatureFailure> failures,
        CancellationToken ct)
    {
        var count = 0;
        await using var cmd = new NpgsqlCommand("SELECT license_number, identifier, canonical, signature, certificate FROM license_changes ORDER BY global_seq", connection);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            count++;
            var identifier = reader.GetString(1);
            if (!documents.TryGetValue(identifier, out var version)
                || version.Canonical != reader.GetString(2)
                || !version.Signature.AsSpan().SequenceEqual(reader.GetFieldValue<byte[]>(3))
                || !version.Certificate.AsSpan().SequenceEqual(reader.GetFieldValue<byte[]>(4)))
            {
                failures.Add(new SignatureFailure(reader.GetString(0), identifier, "feed-mismatch"));
            }
        }

        return count;
    }

    private static async Task<(byte[]? Root, Dictionary<string, string?> Units)> PublishedAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        byte[]? root = null;
        var units = new Dictionary<string, string?>(StringComparer.Ordinal);
        await using var cmd = new NpgsqlCommand("SELECT kind, unit_code, certificate, is_current FROM published_certificates", connection);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var der = reader.GetFieldValue<byte[]>(2);
            if (reader.GetString(0) == "root")
            {
                if (reader.GetBoolean(3))
                {
                    root = der;
                }
            }
            else
            {
                units[StoredSignatureCheck.Fingerprint(der)] = reader.IsDBNull(1) ? null : reader.GetString(1);
            }
        }

        return (root, units);
    }
}
