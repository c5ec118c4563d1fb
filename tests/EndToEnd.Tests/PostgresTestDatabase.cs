using Npgsql;

namespace FleetPods.EndToEnd.Tests;

/// <summary>
/// A fresh database on the real PostgreSQL that deploy/start-postgres.sh runs, dropped afterwards.
/// $FLEETPODS_TEST_POSTGRES overrides the server (a connection string to its postgres database).
/// </summary>
public sealed class PostgresTestDatabase : IAsyncLifetime
{
    private static readonly string Server = Environment.GetEnvironmentVariable("FLEETPODS_TEST_POSTGRES") is { Length: > 0 } given
        ? given
        : "Host=127.0.0.1;Username=fleetpods;Password=fleetpods;Database=postgres";

    private readonly string name = $"fleetpods_e2e_{Guid.NewGuid():N}";

    public string ConnectionString => new NpgsqlConnectionStringBuilder(Server) { Database = name }.ConnectionString;

    public Task InitializeAsync() => Execute($"CREATE DATABASE {name}");

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await Execute($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    }

    private static async Task Execute(string sql)
    {
        await using var connection = new NpgsqlConnection(Server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
