using Npgsql;
using Polly;
using Polly.Retry;

namespace FleetPods.Tests;

/// <summary>
/// The real PostgreSQL that deploy/start-postgres.sh runs, where tests make databases of their own and drop them.
/// $FLEETPODS_TEST_POSTGRES overrides the server (a connection string to its postgres database).
/// </summary>
public static class TestPostgresServer
{
    private static readonly string Server = Environment.GetEnvironmentVariable("FLEETPODS_TEST_POSTGRES") is { Length: > 0 } given
        ? given
        : "Host=127.0.0.1;Username=fleetpods;Password=fleetpods;Database=postgres";

    /// <summary>Why no connection to the server can be opened, or null when one can.</summary>
    public static async Task<string?> Unreachable()
    {
        try
        {
            // Asked once per test process; a server that is down refuses at once, one that is up may take seconds on a loaded machine.
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Server) { Timeout = 20, Pooling = false }.ConnectionString);
            await connection.OpenAsync();
            return null;
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or ArgumentException)
        {
            var builder = new NpgsqlConnectionStringBuilder(Server);
            return $"PostgreSQL at {builder.Host}:{builder.Port} as {builder.Username}: {ex.Message}";
        }
    }

    // DROP DATABASE … WITH (FORCE) ends the other sessions in the database, but refuses (insufficient privilege) when
    // one is an autovacuum worker, whose process has no role the caller may signal (PostgreSQL 15), and a session that
    // is still ending can hold it a moment (object in use). Either passes within seconds; a busy run's vacuum can take longer.
    private static readonly ResiliencePipeline DropRetry = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = 30,
            Delay = TimeSpan.FromSeconds(2),
            ShouldHandle = new PredicateBuilder().Handle<PostgresException>(ex => ex.SqlState is PostgresErrorCodes.InsufficientPrivilege or PostgresErrorCodes.ObjectInUse),
        })
        .Build();

    /// <summary>Makes a new, empty database and returns its connection string.</summary>
    public static async Task<string> CreateDatabase(string name)
    {
        await Execute($"CREATE DATABASE {name}");
        return new NpgsqlConnectionStringBuilder(Server) { Database = name }.ConnectionString;
    }

    /// <summary>Drops the database, ending its sessions, as soon as PostgreSQL lets it (see <see cref="DropRetry"/>).</summary>
    public static async Task DropDatabase(string name)
    {
        NpgsqlConnection.ClearAllPools();
        await DropRetry.ExecuteAsync(async _ => await Execute($"DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
    }

    private static async Task Execute(string sql)
    {
        await using var connection = new NpgsqlConnection(Server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
