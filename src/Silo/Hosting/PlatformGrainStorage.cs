using System.Globalization;
using Npgsql;
using NpgsqlTypes;
using Orleans.Storage;
using OrleansLicenses.Hosting;
using OrleansLicenses.ReadModel;

namespace OrleansLicenses.Silo.Hosting;

/// <summary>
/// Grain storage of the platform's grains on its own table (<c>grain_states</c>, deploy/sql/0017): a read is one
/// indexed SELECT and a write one prepared statement with an etag check, durably committed, where the Orleans
/// ADO.NET provider runs a stored procedure that costs PostgreSQL about twice as much per write (measured on the
/// issuance path: the holder's reservation and the idempotency record). The state is the same JSON (the silo's
/// <see cref="IGrainStorageSerializer"/>), keyed verbatim by grain type, state name and key.
/// <para>
/// The migration copies what the ADO.NET provider wrote to <c>orleansstorage</c>. Only if that table still holds a
/// row missing here when the silo first misses a grain (written by an older silo during a rolling upgrade) does a
/// grain without a row here read it through the ADO.NET provider (<paramref name="legacy"/>); its next write inserts
/// its row here, which shadows the old one from then on. Otherwise a miss costs nothing more. Clearing keeps a row
/// with a NULL state, so an old row is never read again.
/// </para>
/// <para>
/// A state class with a read model (an <see cref="IReadModelProjector"/> registered for it) has its rows written in the
/// same batch, one implicit transaction: a failed etag check raises in <c>grain_state_written</c> and rolls them back.
/// </para>
/// </summary>
public sealed class PlatformGrainStorage(
    NpgsqlDataSource dataSource, IGrainStorageSerializer serializer, IGrainStorage legacy, IEnumerable<IReadModelProjector> projectors) : IGrainStorage
{
    private readonly Dictionary<Type, IReadModelProjector> projectorByState = projectors.ToDictionary(p => p.StateType);

    private const string LegacyTag = "legacy:";
    private Task<bool>? legacyRowsLeft;

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var (name, key) = Key(stateName, grainId);
        try
        {
            await using var command = dataSource.CreateCommand("SELECT state::text, etag FROM grain_states WHERE state_name = $1 AND grain_key = $2");
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key });
            await using var reader = await command.ExecuteReaderAsync();
            if (await reader.ReadAsync())
            {
                var etag = reader.GetInt64(1);
                var exists = !reader.IsDBNull(0);
                grainState.State = exists ? serializer.Deserialize<T>(BinaryData.FromString(reader.GetString(0))) : Activator.CreateInstance<T>();
                grainState.ETag = etag.ToString(CultureInfo.InvariantCulture);
                grainState.RecordExists = exists;
                return;
            }
        }
        catch (Exception e) when (StorageFailures.IsStorageFailure(e))
        {
            throw StorageFailures.Unavailable(e);
        }

        if (!await (legacyRowsLeft ??= LegacyRowsLeftAsync()))
        {
            grainState.State = Activator.CreateInstance<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
            return;
        }

        await legacy.ReadStateAsync(stateName, grainId, grainState);
        grainState.ETag = grainState.RecordExists ? LegacyTag + grainState.ETag : null;
    }

    /// <summary>Whether orleansstorage holds a state that grain_states does not (asked once per silo; a failure asks again).</summary>
    private async Task<bool> LegacyRowsLeftAsync()
    {
        try
        {
            await using var command = dataSource.CreateCommand("""
                SELECT EXISTS (SELECT 1 FROM orleansstorage o
                               WHERE o.grainidextensionstring LIKE '~%' AND o.payloadbinary IS NOT NULL
                                 AND NOT EXISTS (SELECT 1 FROM grain_states g
                                                 WHERE g.state_name = o.graintypestring AND g.grain_key = substr(o.grainidextensionstring, 2)))
                """);
            return (bool)(await command.ExecuteScalarAsync())!;
        }
        catch (Exception e) when (StorageFailures.IsStorageFailure(e))
        {
            legacyRowsLeft = null;
            throw StorageFailures.Unavailable(e);
        }
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Write(stateName, grainId, grainState, serializer.Serialize(grainState.State).ToString(), exists: true,
            projectorByState.TryGetValue(typeof(T), out var projector) ? projector.Rows(grainId.Key.ToString()!, grainState.State!) : []);

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await Write(stateName, grainId, grainState, null, exists: false, []);
        grainState.State = Activator.CreateInstance<T>();
    }

    /// <summary>
    /// Inserts the grain's first row (no etag, or one read from the old provider) or updates the row whose etag the
    /// grain holds; anything else is a concurrent writer, <see cref="InconsistentStateException"/> as Orleans expects.
    /// </summary>
    private async Task Write<T>(string stateName, GrainId grainId, IGrainState<T> grainState, string? json, bool exists,
        IReadOnlyList<NpgsqlBatchCommand> readModelRows)
    {
        var (name, key) = Key(stateName, grainId);
        var first = grainState.ETag is null || grainState.ETag.StartsWith(LegacyTag, StringComparison.Ordinal);
        long written;
        try
        {
            await using var batch = dataSource.CreateBatch();
            batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT set_config('synchronous_commit', 'on', true)"));
            var write = new NpgsqlBatchCommand(first
                ? """
                    WITH w AS (INSERT INTO grain_states (state_name, grain_key, etag, state) VALUES ($1, $2, 1, $3::jsonb)
                               ON CONFLICT DO NOTHING RETURNING etag)
                    SELECT grain_state_written((SELECT etag FROM w), $1, $2)
                    """
                : """
                    WITH w AS (UPDATE grain_states SET state = $3::jsonb, etag = etag + 1, updated_at = now()
                               WHERE state_name = $1 AND grain_key = $2 AND etag = $4 RETURNING etag)
                    SELECT grain_state_written((SELECT etag FROM w), $1, $2)
                    """);
            write.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
            write.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key });
            write.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)json ?? DBNull.Value });
            if (!first)
            {
                write.Parameters.Add(new NpgsqlParameter<long> { TypedValue = long.Parse(grainState.ETag!, CultureInfo.InvariantCulture) });
            }

            batch.BatchCommands.Add(write);
            foreach (var row in readModelRows)
            {
                batch.BatchCommands.Add(row);
            }

            await using var reader = await batch.ExecuteReaderAsync();
            await reader.NextResultAsync(); // past set_config
            written = await reader.ReadAsync() ? reader.GetInt64(0) : 0;
        }
        catch (PostgresException e) when (e.SqlState == ConflictState)
        {
            written = 0;
        }
        catch (Exception e) when (StorageFailures.IsStorageFailure(e))
        {
            throw StorageFailures.Unavailable(e);
        }

        if (written == 0)
        {
            throw new InconsistentStateException($"The state {name} of {key} was written by another activation.", grainState.ETag ?? "", "");
        }

        grainState.ETag = written.ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = exists;
    }

    /// <summary>SQLSTATE raised by <c>grain_state_written</c> (deploy/sql/0018) when the etag check failed.</summary>
    private const string ConflictState = "OL409";

    private static (string Name, string Key) Key(string stateName, GrainId grainId) => ($"{grainId.Type}/{stateName}", grainId.Key.ToString()!);
}
