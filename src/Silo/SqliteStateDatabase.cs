using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Storage;

namespace FleetPods.Silo;

/// <summary>
/// The embedded default's grain state: one SQLite file under the data directory, served to Orleans'
/// ADO.NET grain storage through the invariant it maps to Microsoft.Data.Sqlite. Our own schema and
/// queries (deploy/sql/sqlite) are applied on every start; each script is idempotent.
/// </summary>
public static class SqliteStateDatabase
{
    public const string Invariant = "System.Data.SQLite";

    public static string ConnectionString(string path) => new SqliteConnectionStringBuilder
    {
        DataSource = path,
        Mode = SqliteOpenMode.ReadWriteCreate,
        Pooling = true,
        DefaultTimeout = 30,
    }.ToString();

    /// <summary>
    /// Registers the grain storage every FleetPods grain uses, on this file. Grain state is written with
    /// Orleans' own version-tolerant serializer (the contracts are [GenerateSerializer] types), not the
    /// provider's JSON default, which records .NET type names that a later build may not have.
    /// </summary>
    public static ISiloBuilder AddFleetPodsSqliteStorage(this ISiloBuilder silo, string path) =>
        silo.AddAdoNetGrainStorage(Grains.GrainStorage.Name, (OptionsBuilder<AdoNetGrainStorageOptions> storage) =>
            storage.Configure<Orleans.Serialization.Serializer>((options, serializer) =>
            {
                options.Invariant = Invariant;
                options.ConnectionString = ConnectionString(path);
                options.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
            }));

    public static void EnsureCreated(string path)
    {
        // Every unit file is in it, environment and secrets included: the node's root alone reads it (SQLite gives its
        // -wal and -shm files the database's mode).
        if (!File.Exists(path))
        {
            File.Create(path, 0, FileOptions.None).Dispose();
        }

        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        using var connection = new SqliteConnection(ConnectionString(path));
        connection.Open();
        Execute(connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
        var assembly = typeof(SqliteStateDatabase).Assembly;
        foreach (var script in assembly.GetManifestResourceNames().Where(n => n.StartsWith("sql/sqlite/", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(script)!;
            using var reader = new StreamReader(stream);
            Execute(connection, reader.ReadToEnd());
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
