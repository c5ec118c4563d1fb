using System.Diagnostics;
using System.Globalization;

namespace FleetPods.Bench.Scheduling;

/// <summary>One of this run's server silos (<see cref="ServerSilo"/>) as a child process, and its peak memory.</summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);
    private readonly Process process;
    private readonly Task reading;
    private readonly List<string> lines = [];
    private readonly List<CollectorPauses.Pause> pauses = [];
    private long peak;
    private TimeSpan cpu;

    private ServerProcess(string name, Process process, bool read)
    {
        Name = name;
        this.process = process;
        reading = read ? Read() : Task.CompletedTask;
    }

    public string Name { get; }

    /// <summary>Whether it was killed during the run (<see cref="Kill"/>).</summary>
    public bool Killed { get; private set; }

    /// <summary>The server's peak resident set (the kernel's VmHWM), in bytes: so far, or until it was killed.</summary>
    public long PeakBytes => Killed ? peak : peak = Status("VmHWM:");

    /// <summary>The CPU time the server has used, user and system: so far, or until it was killed.</summary>
    public TimeSpan CpuTime => Killed ? cpu : cpu = process.TotalProcessorTime;

    /// <summary>The server's resident set now (VmRSS), in bytes; 0 once killed.</summary>
    public long CurrentBytes => Killed ? 0 : Status("VmRSS:");

    /// <summary>The runtime's setting of the largest gen0 budget (a heap's), given to each server in its environment.</summary>
    public const string Gen0BudgetVariable = "DOTNET_GCGen0MaxBudget";

    /// <summary>
    /// A server's largest gen0 budget, in hex, as docs/scale.md advises for servers: the one this process was given, or
    /// 16 MiB. The server collector raises its budget while much survives, and a server keeps every pod it places: left
    /// alone it collected every 0.6 s or so, pausing 55–60 ms for gen0 and 120–160 ms for gen1, every pod in flight with
    /// it. The smallest budget (<c>DOTNET_GCgen0size</c>) changed none of that. <c>DOTNET_GCGen0MaxBudget=0</c> is the
    /// runtime's own choice.
    /// </summary>
    public static string Gen0Budget => Environment.GetEnvironmentVariable(Gen0BudgetVariable) is { Length: > 0 } set ? set : "0x1000000";

    /// <summary>The runtime's choice of collector, the environment's form of a runtimeconfig's <c>System.GC.Server</c>.</summary>
    public const string ServerGcVariable = "DOTNET_gcServer";

    /// <summary>
    /// Whether a server runs the server collector, as docs/scale.md advises for servers: as this process was told, or
    /// yes. The workstation collector stops every thread and collects on one: a server was paused for a fifth of its
    /// time, on one core of this machine's two. The server collector collects on every core.
    /// </summary>
    public static bool ServerGc => Environment.GetEnvironmentVariable(ServerGcVariable) is not { Length: > 0 } set || set != "0";

    public static async Task<ServerProcess> Start(int index, int siloPort, int gatewayPort, TimeSpan minHeartbeatPeriod, int maxHeartbeatsPerSecond, string? cluster, string caCertificate, bool countCalls)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("the benchmark cannot tell its own executable to start the server");
        var start = new ProcessStartInfo(self) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };

        // Run as `dotnet scheduling-bench.dll`, the executable is dotnet and the program its first argument.
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(ServerProcess).Assembly.Location);
        }

        foreach (var argument in ServerSilo.Arguments(index, siloPort, gatewayPort, minHeartbeatPeriod, maxHeartbeatsPerSecond))
        {
            start.ArgumentList.Add(argument);
        }

        if (cluster is not null)
        {
            start.Environment[ServerSilo.ClusterVariable] = cluster;
        }

        start.Environment[ServerSilo.CaVariable] = caCertificate;
        start.Environment[Gen0BudgetVariable] = Gen0Budget;
        start.Environment[ServerGcVariable] = ServerGc ? "1" : "0";
        if (countCalls)
        {
            start.Environment[GrainCallCount.Variable] = "1";
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {ServerSilo.Name(index)} ({self})");
        using var within = new CancellationTokenSource(StartTimeout);
        try
        {
            while (await process.StandardOutput.ReadLineAsync(within.Token) is { } line)
            {
                if (line == "ready")
                {
                    return new ServerProcess(ServerSilo.Name(index), process, read: true);
                }
            }

            throw new InvalidOperationException($"{ServerSilo.Name(index)} exited before it was ready (exit code {(process.WaitForExit(5000) ? process.ExitCode : -1)}; its log is above)");
        }
        catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException)
        {
            await new ServerProcess(ServerSilo.Name(index), process, read: false).DisposeAsync();
            throw new InvalidOperationException(ex is OperationCanceledException ? $"{ServerSilo.Name(index)} was not ready within {StartTimeout.TotalSeconds:0} s" : ex.Message, ex);
        }
    }

    /// <summary>SIGKILL, as a machine lost: its peak and CPU time are read first, its grains must reactivate on the other servers.</summary>
    public async Task Kill()
    {
        _ = PeakBytes;
        _ = CpuTime;
        Killed = true;
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync(CancellationToken.None);
    }

    /// <summary>
    /// Closes the server's stdin, so it prints its <see cref="GrainCallCount"/> and exits, and returns its grain calls
    /// by method; none for a server that was killed, or that did not exit within <paramref name="timeout"/>.
    /// </summary>
    public async Task<IReadOnlyList<(string Method, long Count)>> StopForCalls(TimeSpan timeout)
    {
        if (Killed || process.HasExited)
        {
            return [];
        }

        process.StandardInput.Close();
        using var within = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(within.Token);
        }
        catch (OperationCanceledException)
        {
            return [];
        }

        await reading;
        lock (lines)
        {
            return [.. GrainCallCount.Parse(lines)];
        }
    }

    /// <summary>The collector's pauses this server told of between two <see cref="Stopwatch"/> timestamps.</summary>
    public IReadOnlyList<CollectorPauses.Pause> PausesBetween(long from, long to)
    {
        lock (pauses)
        {
            return [.. pauses.Where(p => p.At >= from && p.At <= to)];
        }
    }

    // Killed, not stopped: its grains' state goes with the run's database, and a graceful stop would only try to move
    // them to a silo that does not exist.
    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync(CancellationToken.None);
        await reading;
        process.Dispose();
    }

    // Its collector's pauses as they come (so a phase takes its own), the rest for when it exits.
    private async Task Read()
    {
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (CollectorPauses.Parse(line, Stopwatch.GetTimestamp()) is { } pause)
            {
                lock (pauses)
                {
                    pauses.Add(pause);
                }
            }
            else
            {
                lock (lines)
                {
                    lines.Add(line);
                }
            }
        }
    }

    private long Status(string field)
    {
        var line = File.ReadLines($"/proc/{process.Id}/status").First(l => l.StartsWith(field, StringComparison.Ordinal));
        return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }
}
