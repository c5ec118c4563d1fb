using Npgsql;

namespace FleetPods.Silo.Tests.Postgres;

/// <summary>
/// A fresh database on the real PostgreSQL that deploy/start-postgres.sh runs, made for one test class and
/// dropped after it. $FLEETPODS_TEST_POSTGRES overrides the server (a connection string to its postgres database).
/// </summary>
public sealed class PostgresDatabase : IAsyncLifetime
{
    private static readonly string Server = Environment.GetEnvironmentVariable("FLEETPODS_TEST_POSTGRES") is { Length: > 0 } given
        ? given
        : "Host=127.0.0.1;Username=fleetpods;Password=fleetpods;Database=postgres";

    private readonly string name = $"fleetpods_test_{Guid.NewGuid():N}";

    public string ConnectionString => new NpgsqlConnectionStringBuilder(Server) { Database = name }.ConnectionString;

    public async Task InitializeAsync()
    {
        await ExecuteOnServer($"CREATE DATABASE {name}");
        await PostgresClusterDatabase.InitializeAsync(ConnectionString);
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await ExecuteOnServer($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    }

    public async Task<T> Scalar<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public async Task<IReadOnlyList<string>> Column(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetValue(0).ToString()!);
        }

        return values;
    }

    private static async Task ExecuteOnServer(string sql)
    {
        await using var connection = new NpgsqlConnection(Server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
