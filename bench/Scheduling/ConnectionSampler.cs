using Npgsql;

namespace FleetPods.Bench.Scheduling;

/// <summary>
/// Samples <c>pg_stat_activity</c> every <see cref="Period"/> for the client connections to the run's database (every
/// server's, whatever its pool holds; not this sampler's own, nor PostgreSQL's background workers) and keeps the most
/// seen, which the run checks against the budget of S × P: over it in two samples in a row (a connection 200 ms
/// past the budget) fails the run, while one sample alone is counted and shown (a backend whose connection Npgsql has
/// just closed stays listed until its process has exited, so a pool that replaces a connection can show one more for
/// an instant); and, to explain a <c>53300</c> in a server's log, the most
/// client connections to the whole PostgreSQL server (other runs and tests share it) beside its <c>max_connections</c>.
/// </summary>
internal sealed class ConnectionSampler : IAsyncDisposable
{
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(200);

    private readonly NpgsqlConnection connection;
    private readonly int budget;
    private readonly CancellationTokenSource stop = new();
    private readonly Task sampling;
    private int max;
    private int maxServerWide;
    private int samples;
    private int over;
    private bool wasOver;
    private bool overInARow;
    private int failed;

    private ConnectionSampler(NpgsqlConnection connection, int budget)
    {
        this.connection = connection;
        this.budget = budget;
        sampling = Sample();
    }

    /// <summary>The most client connections to the database one sample saw.</summary>
    public int Max => Volatile.Read(ref max);

    /// <summary>The most client connections to the whole PostgreSQL server one sample saw, this sampler's included.</summary>
    public int MaxServerWide => Volatile.Read(ref maxServerWide);

    /// <summary>The server's <c>max_connections</c>.</summary>
    public int MaxConnections { get; private set; }

    public int Samples => Volatile.Read(ref samples);

    /// <summary>Samples over the budget.</summary>
    public int Over => Volatile.Read(ref over);

    /// <summary>Whether two samples in a row were over the budget: the run then fails.</summary>
    public bool Exceeded => Volatile.Read(ref overInARow);

    /// <summary>Who held the database's connections in the first sample over the budget (application, state, count), or null.</summary>
    public string? FirstOver { get; private set; }

    /// <summary>Samples whose query failed (counted, not fatal: a run that loses its database fails elsewhere).</summary>
    public int Failed => Volatile.Read(ref failed);

    public static async Task<ConnectionSampler> Start(string cluster, int budget)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(cluster) { Pooling = false, ApplicationName = "fleetpods-bench-sampler" }.ConnectionString);
        await connection.OpenAsync();
        return new ConnectionSampler(connection, budget);
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await sampling;
        await connection.DisposeAsync();
        stop.Dispose();
    }

    // Client connections to the run's database (not this one), to the whole server; and the server's max_connections.
    private async Task<(int Ours, int All)> Count(NpgsqlCommand command)
    {
        await using var reader = await command.ExecuteReaderAsync(stop.Token);
        await reader.ReadAsync(stop.Token);
        MaxConnections = reader.GetInt32(2);
        return ((int)reader.GetInt64(0), (int)reader.GetInt64(1));
    }

    private async Task<string> Holders()
    {
        await using var command = new NpgsqlCommand(
            "SELECT coalesce(application_name, ''), coalesce(state, ''), count(*) FROM pg_stat_activity "
            + "WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid() GROUP BY 1, 2 ORDER BY 3 DESC", connection);
        await using var reader = await command.ExecuteReaderAsync(stop.Token);
        var holders = new List<string>();
        while (await reader.ReadAsync(stop.Token))
        {
            holders.Add($"{reader.GetInt64(2)} {reader.GetString(0)} {reader.GetString(1)}");
        }

        return string.Join(", ", holders);
    }

    private async Task Sample()
    {
        using var timer = new PeriodicTimer(Period);
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FILTER (WHERE datname = current_database() AND pid <> pg_backend_pid()), count(*), current_setting('max_connections')::int "
            + "FROM pg_stat_activity WHERE backend_type = 'client backend'", connection);
        try
        {
            do
            {
                try
                {
                    var (ours, all) = await Count(command);
                    Interlocked.Increment(ref samples);
                    Volatile.Write(ref max, Math.Max(Max, ours));
                    Volatile.Write(ref maxServerWide, Math.Max(MaxServerWide, all));
                    var isOver = ours > budget;
                    if (isOver)
                    {
                        Interlocked.Increment(ref over);
                        FirstOver ??= await Holders();
                    }

                    Volatile.Write(ref overInARow, overInARow || (isOver && wasOver));
                    wasOver = isOver;
                }
                catch (NpgsqlException)
                {
                    Interlocked.Increment(ref failed);
                }
            }
            while (await timer.WaitForNextTickAsync(stop.Token));
        }
        catch (OperationCanceledException)
        {
            // The run is over.
        }
    }
}
