using Microsoft.Data.Sqlite;

namespace FleetPods.Silo.Storage;

/// <summary>
/// OrleansStorage in the embedded default's SQLite file: a batch is one transaction of prepared statements, one per
/// change. The statements cost microseconds in process; the commit (a synced write of the log) is what a batch shares.
/// </summary>
internal sealed class SqliteGrainStateTable(string connectionString, string serviceId) : IGrainStateTable
{
    private const string SameRow = """
        GrainIdHash = @hash AND GrainTypeHash = @typehash AND GrainIdN0 = @n0 AND GrainIdN1 = @n1
          AND GrainTypeString = @type AND GrainIdExtensionString = @ext AND ServiceId = @service
        """;

    private const string Now = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

    private const string InsertSql = $"""
        INSERT INTO OrleansStorage
            (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString, GrainIdExtensionString, ServiceId,
             PayloadBinary, ModifiedOn, Version)
        VALUES (@hash, @n0, @n1, @typehash, @type, @ext, @service, @payload, {Now}, 1)
        ON CONFLICT (GrainIdHash, GrainTypeHash, GrainIdN0, GrainIdN1, GrainTypeString, GrainIdExtensionString, ServiceId)
        DO NOTHING
        """;

    private const string UpdateSql = $"""
        UPDATE OrleansStorage SET PayloadBinary = @payload, ModifiedOn = {Now}, Version = Version + 1
        WHERE {SameRow} AND Version = @version
        """;

    private const string ReadSql = $"SELECT PayloadBinary, Version FROM OrleansStorage WHERE {SameRow}";

    public async Task<int?[]> Apply(IReadOnlyList<GrainStateChange> changes)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();

        // BEGIN IMMEDIATE: the write lock is taken at the start, so two writers on one file wait for it, not deadlock.
        await using var transaction = connection.BeginTransaction(deferred: false);
        await using var insert = Command(connection, transaction, InsertSql, withVersion: false);
        await using var update = Command(connection, transaction, UpdateSql, withVersion: true);
        var versions = new int?[changes.Count];
        for (var i = 0; i < changes.Count; i++)
        {
            var change = changes[i];
            var command = change.ExpectedVersion is null ? insert : update;
            Bind(command, change.Key);
            command.Parameters["@payload"].Value = change.Payload ?? (object)DBNull.Value;
            if (change.ExpectedVersion is { } expected)
            {
                command.Parameters["@version"].Value = expected;
            }

            if (await command.ExecuteNonQueryAsync() == 1)
            {
                versions[i] = (change.ExpectedVersion ?? 0) + 1;
            }
        }

        await transaction.CommitAsync();
        return versions;
    }

    public async Task<StoredGrainState?[]> Read(IReadOnlyList<GrainStateKey> keys)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        await using var read = Command(connection, null, ReadSql, withVersion: false, withPayload: false);
        var rows = new StoredGrainState?[keys.Count];
        for (var i = 0; i < keys.Count; i++)
        {
            Bind(read, keys[i]);
            await using var reader = await read.ExecuteReaderAsync();
            if (await reader.ReadAsync())
            {
                rows[i] = new StoredGrainState(reader.IsDBNull(0) ? null : (byte[])reader[0], reader.GetInt32(1));
            }
        }

        return rows;
    }

    private SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql, bool withVersion, bool withPayload = true)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var parameter in (string[])["@hash", "@n0", "@n1", "@typehash", "@type", "@ext"])
        {
            command.Parameters.Add(new SqliteParameter(parameter, null));
        }

        command.Parameters.AddWithValue("@service", serviceId);
        if (withPayload)
        {
            command.Parameters.Add(new SqliteParameter("@payload", SqliteType.Blob));
        }

        if (withVersion)
        {
            command.Parameters.Add(new SqliteParameter("@version", SqliteType.Integer));
        }

        return command;
    }

    private static void Bind(SqliteCommand command, GrainStateKey key)
    {
        command.Parameters["@hash"].Value = key.GrainIdHash;
        command.Parameters["@n0"].Value = key.N0;
        command.Parameters["@n1"].Value = key.N1;
        command.Parameters["@typehash"].Value = key.GrainTypeHash;
        command.Parameters["@type"].Value = key.GrainType;
        command.Parameters["@ext"].Value = key.Extension;
    }
}
