using Npgsql;

namespace FleetPods.EndToEnd.Tests;

/// <summary>
/// A PostgreSQL server of a test's own (initdb and pg_ctl of this machine's PostgreSQL 15, run as the postgres
/// user in a temporary directory, on a free port), for tests that starve or break the database: the machine's
/// shared server and the other tests on it are left alone. Cluster daemons connect as the non-superuser
/// <c>fleetpods</c>, so the limits a test sets apply to them.
/// </summary>
public sealed class PrivatePostgresServer : IAsyncDisposable
{
    private const string Bin = "/usr/lib/postgresql/15/bin";
    private readonly string directory = Directory.CreateTempSubdirectory("fleetpods-pg-").FullName;
    private readonly int port = TestPorts.Reserve();

    private string DataDirectory => Path.Combine(directory, "data");

    /// <summary>The server's superuser, on its postgres database.</summary>
    public string Superuser => $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=false";

    /// <summary>Starts the server and makes a database owned by <c>fleetpods</c>; returns its connection string.</summary>
    public async Task<string> StartWithDatabase(string name)
    {
        var owned = await Processes.Run("chown", ["postgres:", directory], TimeSpan.FromSeconds(10));
        Assert.True(owned.ExitCode == 0, owned.ToString());
        await AsPostgres($"{Bin}/initdb -D '{DataDirectory}' -U postgres --auth=trust >'{directory}/initdb.log' 2>&1");
        await AsPostgres($"{Bin}/pg_ctl -D '{DataDirectory}' -l '{directory}/server.log' -w -o \"-p {port} -k '{directory}' -c listen_addresses=127.0.0.1 -c max_connections=60\" start >/dev/null");
        await Execute("CREATE ROLE fleetpods LOGIN PASSWORD 'fleetpods'");
        await Execute($"CREATE DATABASE {name} OWNER fleetpods");
        return $"Host=127.0.0.1;Port={port};Username=fleetpods;Password=fleetpods;Database={name}";
    }

    /// <summary>Runs one statement as the superuser and returns its first value as a number (0 if none).</summary>
    public async Task<long> Execute(string sql)
    {
        await using var connection = new NpgsqlConnection(Superuser);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync() ?? 0L, System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
        {
            await AsPostgres($"{Bin}/pg_ctl -D '{DataDirectory}' -m immediate -w stop >/dev/null");
        }

        Directory.Delete(directory, recursive: true);
    }

    private static async Task AsPostgres(string script)
    {
        var result = await Processes.Run("su", ["postgres", "-s", "/bin/sh", "-c", script], TimeSpan.FromSeconds(120));
        Assert.True(result.ExitCode == 0, result.ToString());
    }
}
