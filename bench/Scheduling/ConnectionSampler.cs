using Npgsql;

namespace FleetPods.Bench.Scheduling;

/// <summary>
/// Samples <c>pg_stat_activity</c> every <see cref="Period"/> for the client connections to the run's database (every
/// server's, whatever its pool holds; not this sampler's own, nor PostgreSQL's background workers) and keeps the most
/// seen, which the run checks against the budget of S × P.
/// </summary>
internal sealed class ConnectionSampler : IAsyncDisposable
{
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(200);

    private readonly NpgsqlConnection connection;
    private readonly CancellationTokenSource stop = new();
    private readonly Task sampling;
    private int max;
    private int samples;
    private int failed;

    private ConnectionSampler(NpgsqlConnection connection)
    {
        this.connection = connection;
        sampling = Sample();
    }

    /// <summary>The most client connections to the database one sample saw.</summary>
    public int Max => Volatile.Read(ref max);

    public int Samples => Volatile.Read(ref samples);

    /// <summary>Samples whose query failed (counted, not fatal: a run that loses its database fails elsewhere).</summary>
    public int Failed => Volatile.Read(ref failed);

    public static async Task<ConnectionSampler> Start(string cluster)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(cluster) { Pooling = false, ApplicationName = "fleetpods-bench-sampler" }.ConnectionString);
        await connection.OpenAsync();
        return new ConnectionSampler(connection);
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await sampling;
        await connection.DisposeAsync();
        stop.Dispose();
    }

    private async Task Sample()
    {
        using var timer = new PeriodicTimer(Period);
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()", connection);
        try
        {
            do
            {
                try
                {
                    var now = (int)(long)(await command.ExecuteScalarAsync(stop.Token))!;
                    Interlocked.Increment(ref samples);
                    if (now > Max)
                    {
                        Volatile.Write(ref max, now);
                    }
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
