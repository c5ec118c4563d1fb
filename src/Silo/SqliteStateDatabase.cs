using Microsoft.Data.Sqlite;
using FleetPods.Silo.Storage;

namespace FleetPods.Silo;

/// <summary>
/// The embedded default's grain state: one SQLite file under the data directory, in the OrleansStorage table of our
/// own schema (deploy/sql/sqlite), applied on every start; each script is idempotent.
/// </summary>
public static class SqliteStateDatabase
{
    public static string ConnectionString(string path) => new SqliteConnectionStringBuilder
    {
        DataSource = path,
        Mode = SqliteOpenMode.ReadWriteCreate,
        Pooling = true,
        DefaultTimeout = 30,
    }.ToString();

    /// <summary>Registers the grain storage every FleetPods grain uses, on this file, a batch of writes per transaction.</summary>
    public static ISiloBuilder AddFleetPodsSqliteStorage(this ISiloBuilder silo, string path) =>
        silo.AddFleetPodsGrainStorage(serviceId => new SqliteGrainStateTable(ConnectionString(path), serviceId));

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
