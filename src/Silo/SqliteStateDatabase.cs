using Microsoft.Data.Sqlite;

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

    public static void EnsureCreated(string path)
    {
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
