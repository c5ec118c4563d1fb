using Npgsql;
using NpgsqlTypes;

namespace FleetPods.Silo.Storage;

/// <summary>
/// OrleansStorage on PostgreSQL: a batch is one statement over arrays (unnest), so it is one round trip, one plan and
/// one commit whatever its size. Connections come from the same Npgsql pool as Orleans' membership and reminders
/// (the same connection string), so the server's connection budget is unchanged.
/// </summary>
internal sealed class PostgresGrainStateTable(string connectionString, string serviceId) : IGrainStateTable
{
    private const string Input = """
        unnest(@hash, @n0, @n1, @typehash, @type, @ext) WITH ORDINALITY
            AS i (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString, GrainIdExtensionString, Ordinal)
        """;

    private const string SameRow = """
        s.GrainIdHash = i.GrainIdHash AND s.GrainTypeHash = i.GrainTypeHash
          AND s.GrainIdN0 = i.GrainIdN0 AND s.GrainIdN1 = i.GrainIdN1
          AND s.GrainTypeString = i.GrainTypeString AND s.GrainIdExtensionString = i.GrainIdExtensionString
          AND s.ServiceId = @service
        """;

    // Changes with a version update the row at that version; those without insert one where there is none. Each
    // answers its ordinal and new version; a change with no answer met another version, and stored nothing.
    private const string ApplySql = $"""
        WITH i AS (
            SELECT i.*, c.Version, c.PayloadBinary
            FROM {Input}
            JOIN unnest(@version, @payload) WITH ORDINALITY AS c (Version, PayloadBinary, Ordinal) ON c.Ordinal = i.Ordinal),
        updated AS (
            UPDATE OrleansStorage AS s
            SET PayloadBinary = i.PayloadBinary, ModifiedOn = now(), Version = s.Version + 1
            FROM i
            WHERE i.Version IS NOT NULL AND {SameRow} AND s.Version = i.Version
            RETURNING i.Ordinal, s.Version),
        inserted AS (
            INSERT INTO OrleansStorage
                (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString, GrainIdExtensionString, ServiceId,
                 PayloadBinary, ModifiedOn, Version)
            SELECT GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString, GrainIdExtensionString, @service,
                   PayloadBinary, now(), 1
            FROM i
            WHERE i.Version IS NULL
            ON CONFLICT (GrainIdHash, GrainTypeHash, GrainIdN0, GrainIdN1, GrainTypeString, GrainIdExtensionString, ServiceId)
            DO NOTHING
            RETURNING GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeString, GrainIdExtensionString, Version)
        SELECT Ordinal, Version FROM updated
        UNION ALL
        SELECT i.Ordinal, inserted.Version
        FROM inserted
        JOIN i ON i.GrainIdHash = inserted.GrainIdHash AND i.GrainIdN0 = inserted.GrainIdN0 AND i.GrainIdN1 = inserted.GrainIdN1
              AND i.GrainTypeString = inserted.GrainTypeString AND i.GrainIdExtensionString = inserted.GrainIdExtensionString
        """;

    private const string ReadSql = $"""
        SELECT i.Ordinal, s.PayloadBinary, s.Version
        FROM {Input}
        JOIN OrleansStorage AS s ON {SameRow}
        """;

    public async Task<int?[]> Apply(IReadOnlyList<GrainStateChange> changes)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(ApplySql, connection);
        AddKeys(command, [.. changes.Select(c => c.Key)]);
        command.Parameters.Add(new NpgsqlParameter("version", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = changes.Select(c => c.ExpectedVersion).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("payload", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { Value = changes.Select(c => c.Payload).ToArray() });
        var versions = new int?[changes.Count];
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            versions[reader.GetInt64(0) - 1] = reader.GetInt32(1);
        }

        return versions;
    }

    public async Task<StoredGrainState?[]> Read(IReadOnlyList<GrainStateKey> keys)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(ReadSql, connection);
        AddKeys(command, keys);
        var rows = new StoredGrainState?[keys.Count];
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows[reader.GetInt64(0) - 1] = new StoredGrainState(reader.IsDBNull(1) ? null : (byte[])reader[1], reader.GetInt32(2));
        }

        return rows;
    }

    private void AddKeys(NpgsqlCommand command, IReadOnlyList<GrainStateKey> keys)
    {
        command.Parameters.Add(new NpgsqlParameter<int[]>("hash", [.. keys.Select(k => k.GrainIdHash)]));
        command.Parameters.Add(new NpgsqlParameter<long[]>("n0", [.. keys.Select(k => k.N0)]));
        command.Parameters.Add(new NpgsqlParameter<long[]>("n1", [.. keys.Select(k => k.N1)]));
        command.Parameters.Add(new NpgsqlParameter<int[]>("typehash", [.. keys.Select(k => k.GrainTypeHash)]));
        command.Parameters.Add(new NpgsqlParameter<string[]>("type", [.. keys.Select(k => k.GrainType)]) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Varchar });
        command.Parameters.Add(new NpgsqlParameter<string[]>("ext", [.. keys.Select(k => k.Extension)]) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Varchar });
        command.Parameters.Add(new NpgsqlParameter<string>("service", serviceId));
    }
}
