using Npgsql;

namespace FleetPods.Silo.Tests.Postgres;

/// <summary>
/// A fresh database on the tests' PostgreSQL with our cluster schema applied, made for one test class and dropped
/// after it.
/// </summary>
public sealed class PostgresDatabase : IAsyncLifetime
{
    private readonly string name = $"fleetpods_test_{Guid.NewGuid():N}";

    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        ConnectionString = await TestPostgresServer.CreateDatabase(name);
        await PostgresClusterDatabase.InitializeAsync(ConnectionString);
    }

    public Task DisposeAsync() => TestPostgresServer.DropDatabase(name);

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
}
