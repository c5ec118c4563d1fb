using Npgsql;
using FleetPods.Silo.Storage;

namespace FleetPods.Silo;

/// <summary>
/// Cluster mode's shared state: Orleans membership, grain state and reminders in one PostgreSQL database,
/// through Orleans' ADO.NET providers and Npgsql. Our schema and named queries (deploy/sql/postgresql) are
/// versioned scripts, applied in order by <see cref="InitializeAsync"/> (<c>fleetpodsd --init-db</c>).
/// </summary>
public static class PostgresClusterDatabase
{
    public const string Invariant = "Npgsql";

    /// <summary>
    /// The most connections one fleetpodsd holds to the database. Membership, grain state and reminders share one
    /// connection string and so one Npgsql pool; Npgsql's own default of 100 would let three nodes take every
    /// connection of a default PostgreSQL.
    /// </summary>
    public const int DefaultPoolSize = 10;

    // Any fixed number: it only has to be the same for every fleetpodsd initializing the same database.
    private const long SchemaLockKey = 0x466c656574506f64;

    private static readonly IReadOnlyList<(int Version, string Resource)> Scripts = FindScripts();

    /// <summary>The schema version this build needs.</summary>
    public static int LatestVersion => Scripts[^1].Version;

    /// <summary>The connection string with its pool bounded to <paramref name="maxPoolSize"/> connections (replacing any <c>Maximum Pool Size</c> it names).</summary>
    /// <exception cref="ArgumentException">The connection string is not one Npgsql understands; the message says why.</exception>
    public static string WithPoolSize(string connectionString, int maxPoolSize) =>
        new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = maxPoolSize }.ConnectionString;

    /// <summary>Applies every script not yet recorded in FleetPodsSchema, each in its own transaction; safe to run again and concurrently.</summary>
    /// <returns>The versions this call applied.</returns>
    public static async Task<IReadOnlyList<int>> InitializeAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await Execute(connection, null, $"SELECT pg_advisory_lock({SchemaLockKey})", cancellationToken);
        try
        {
            var applied = await AppliedVersion(connection, cancellationToken);
            var done = new List<int>();
            foreach (var (version, resource) in Scripts.Where(s => s.Version > applied))
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await Execute(connection, transaction, ReadScript(resource), cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                done.Add(version);
            }

            return done;
        }
        finally
        {
            await Execute(connection, null, $"SELECT pg_advisory_unlock({SchemaLockKey})", CancellationToken.None);
        }
    }

    /// <summary>Throws with what to do when the database is unreachable or its schema is older than this build.</summary>
    public static async Task EnsureCurrentAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        var applied = await AppliedVersion(connection, cancellationToken);
        if (applied < LatestVersion)
        {
            throw new InvalidOperationException(
                $"the cluster database has schema version {applied}, this fleetpodsd needs {LatestVersion}: run fleetpodsd --init-db --cluster \"…\" first");
        }
    }

    /// <summary>Orleans ADO.NET clustering and reminders, and FleetPods' batched grain storage, all on one database and one connection pool.</summary>
    public static ISiloBuilder AddFleetPodsPostgres(this ISiloBuilder silo, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(silo);

        // Orleans' statements keep no session state, while the DISCARD ALL Npgsql sends before reusing a pooled
        // connection also drops the session's cached plans, so every state write planned Orleans' functions anew.
        connectionString = new NpgsqlConnectionStringBuilder(connectionString) { NoResetOnClose = true }.ConnectionString;
        silo.UseAdoNetClustering(options =>
        {
            options.Invariant = Invariant;
            options.ConnectionString = connectionString;
        });
        silo.UseAdoNetReminderService(options =>
        {
            options.Invariant = Invariant;
            options.ConnectionString = connectionString;
        });
        return silo.AddFleetPodsGrainStorage(serviceId => new PostgresGrainStateTable(connectionString, serviceId));
    }

    private static async Task<int> AppliedVersion(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT CASE WHEN to_regclass('fleetpodsschema') IS NULL THEN 0 ELSE 1 END", connection);
        if ((int)(await command.ExecuteScalarAsync(cancellationToken))! == 0)
        {
            return 0;
        }

        await using var max = new NpgsqlCommand("SELECT COALESCE(max(Version), 0) FROM FleetPodsSchema", connection);
        return (int)(await max.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task Execute(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static string ReadScript(string resource)
    {
        using var stream = typeof(PostgresClusterDatabase).Assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    // Scripts are named NNN-what.sql; their number is the schema version they bring the database to.
    private static List<(int, string)> FindScripts()
    {
        const string prefix = "sql/postgresql/";
        var scripts = typeof(PostgresClusterDatabase).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal))
            .Select(n => (int.Parse(n.AsSpan(prefix.Length, 3), System.Globalization.CultureInfo.InvariantCulture), n))
            .OrderBy(s => s.Item1)
            .ToList();
        return scripts.Count > 0 ? scripts : throw new InvalidOperationException("no PostgreSQL schema scripts are embedded in fleetpodsd");
    }
}
