
namespace FleetPods.EndToEnd.Tests;

/// <summary>A fresh database on the tests' PostgreSQL, dropped afterwards.</summary>
public sealed class PostgresTestDatabase : IAsyncLifetime
{
    private readonly string name = $"fleetpods_e2e_{Guid.NewGuid():N}";

    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync() => ConnectionString = await TestPostgresServer.CreateDatabase(name);

    public Task DisposeAsync() => TestPostgresServer.DropDatabase(name);
}
