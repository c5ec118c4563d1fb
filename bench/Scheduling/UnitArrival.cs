using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using FleetPods.Grains;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace FleetPods.Bench.Scheduling;

/// <summary>
/// How a phase's units reach the cluster, each submitted then started as <c>POST /v1/units/start</c> does it: all at
/// once, 32 at a time (a batch, which measures throughput), or each at its own time on a fixed schedule so that pods
/// arrive at a steady rate (which measures latency). On a schedule, a unit is submitted at its time whether or not the
/// ones before it were answered, and how late it went out (the submitter behind its schedule) is kept and added to its
/// pods' latency, so a slow cluster cannot hide its queue by slowing the arrivals (no coordinated omission).
/// </summary>
internal sealed class UnitArrival(IClusterClient client, bool restartOnFailure, Action<string> say)
{
    // As the API's batch start (UnitsApi.BatchParallelism).
    public const int BatchParallelism = 32;

    // Units in flight at most on a schedule: far more than the cluster takes at once, so the schedule is kept; beyond
    // it the lateness is counted.
    private const int ScheduledInFlight = 1024;

    // A unit's submit and start are idempotent (the same file again is a no-op, a launched unit starts as a no-op), so
    // each is sent again when it failed or went unanswered for CallLimit, as a user's `fleetpods start` would be run
    // again. An Orleans client waits out its whole response timeout (3 min here) for a call its gateway forwarded to a
    // server that died; without the limit the run timed that wait, not the cluster's recovery.
    private static readonly TimeSpan CallLimit = TimeSpan.FromSeconds(30);

    private static readonly ResiliencePipeline CallRetry = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = 8,
            BackoffType = DelayBackoffType.Exponential,
            Delay = TimeSpan.FromSeconds(1),
            MaxDelay = TimeSpan.FromSeconds(10),
            // OperationCanceledException is how a server answers a call whose own calls expired before their grains could
            // be placed (a server that had just died): "Message expired before placement could complete".
            ShouldHandle = new PredicateBuilder().Handle<OrleansException>().Handle<TimeoutException>().Handle<TimeoutRejectedException>().Handle<OperationCanceledException>(),
        })
        .AddTimeout(CallLimit)
        .Build();

    private readonly ConcurrentDictionary<string, double> lateMs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> dueAt = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (string Call, long Since)> calling = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> arrived = new();
    private int failedStarts;
    private int retriedCalls;

    /// <summary>Unit starts that failed every attempt (the unit then makes its pods when it next reconciles).</summary>
    public int FailedStarts => Volatile.Read(ref failedStarts);

    /// <summary>Unit submits and starts sent again after one failed or went unanswered for 30 s.</summary>
    public int RetriedCalls => Volatile.Read(ref retriedCalls);

    /// <summary>The most any unit went out after its scheduled time, in ms (0 for a batch).</summary>
    public double MaxLateMs => lateMs.IsEmpty ? 0 : lateMs.Values.Max();

    /// <summary>How long after its scheduled time the unit went out, in ms (0 for a batch).</summary>
    public double LateMs(string unit) => lateMs.GetValueOrDefault(unit);

    /// <summary>The units sent so far, in the order they were.</summary>
    public IEnumerable<string> Arrived => arrived;

    /// <summary>The unit calls not yet answered, the oldest first: which unit, which call, for how long.</summary>
    public IEnumerable<(string Unit, string Call, TimeSpan For)> Outstanding =>
        calling.Select(c => (c.Key, c.Value.Call, Stopwatch.GetElapsedTime(c.Value.Since))).OrderByDescending(c => c.Item3);

    /// <summary>When the unit was due to arrive on the schedule, or null for a batch.</summary>
    public DateTimeOffset? DueAt(string unit) => dueAt.TryGetValue(unit, out var at) ? at : null;

    public Task Batch(IReadOnlyList<(string Name, int Count)> units) =>
        Parallel.ForEachAsync(units, new ParallelOptions { MaxDegreeOfParallelism = BatchParallelism }, async (unit, _) => await Start(unit));

    /// <summary>Unit i goes out when the pods of the units before it have arrived at <paramref name="podsPerSecond"/>.</summary>
    public async Task Scheduled(IReadOnlyList<(string Name, int Count)> units, double podsPerSecond)
    {
        using var inFlight = new SemaphoreSlim(ScheduledInFlight);
        var origin = Stopwatch.GetTimestamp();
        var originAt = DateTimeOffset.UtcNow;
        var running = new List<Task>(units.Count);
        var podsBefore = 0L;
        foreach (var unit in units)
        {
            var due = TimeSpan.FromSeconds(podsBefore / podsPerSecond);
            podsBefore += unit.Count;
            dueAt[unit.Name] = originAt + due;
            if (due - Stopwatch.GetElapsedTime(origin) is { Ticks: > 0 } wait)
            {
                await Task.Delay(wait);
            }

            await inFlight.WaitAsync();
            lateMs[unit.Name] = Math.Max(0, (Stopwatch.GetElapsedTime(origin) - due).TotalMilliseconds);
            running.Add(StartReleasing(unit, inFlight));
        }

        await Task.WhenAll(running);
    }

    /// <summary>The unit file of every benchmark unit: small pods, restarted on failure when the run kills something.</summary>
    public static string UnitText(int count, bool restart) =>
        $"[Pod]\nImage=example.com/busybox\nExec=/bin/sleep 1000\nMemory=64M\nCPU=100m\nCount={count.ToString(CultureInfo.InvariantCulture)}\n"
        + (restart ? "Restart=on-failure\n" : "");

    private async Task StartReleasing((string Name, int Count) unit, SemaphoreSlim inFlight)
    {
        try
        {
            await Start(unit);
        }
        finally
        {
            inFlight.Release();
        }
    }

    private async Task<T> Call<T>(Func<CancellationToken, Task<T>> call)
    {
        var attempt = 0;
        return await CallRetry.ExecuteAsync(
            async limit =>
            {
                if (attempt++ > 0)
                {
                    Interlocked.Increment(ref retriedCalls);
                }

                return await call(limit);
            },
            CancellationToken.None);
    }

    private async Task Start((string Name, int Count) unit)
    {
        var grain = client.GetGrain<IUnitGrain>(unit.Name);
        arrived.Enqueue(unit.Name);
        calling[unit.Name] = ("Submit", Stopwatch.GetTimestamp());

        // With a node killed, pods launched onto it before it is declared down fail there; Restart=on-failure runs
        // them again elsewhere (with the unit's back-off), as an operator who cares about a dead node's pods would ask.
        var submitted = await Call(async limit => await grain.Submit(unit.Name, UnitText(unit.Count, restartOnFailure)).WaitAsync(limit));
        if (!submitted.Succeeded)
        {
            throw new InvalidOperationException($"{unit.Name} was refused: {string.Join("; ", submitted.Errors)}");
        }

        try
        {
            calling[unit.Name] = ("Start", Stopwatch.GetTimestamp());
            await Call(async limit =>
            {
                await grain.Start().WaitAsync(limit);
                return true;
            });
        }
        catch (Exception ex) when (ex is OrleansException or TimeoutException or TimeoutRejectedException or OperationCanceledException or FleetPodsException)
        {
            // As the API's batch start answers that unit with an error: the unit is launched, and makes the pods it
            // still lacks when it next reconciles (each pod's running report makes it). The run waits for them.
            if (Interlocked.Increment(ref failedStarts) == 1)
            {
                var line = ex.Message.Split('\n')[0];
                say($"a unit's start failed (the first; more are counted): {line[..Math.Min(200, line.Length)]}");
            }
        }
        finally
        {
            calling.TryRemove(unit.Name, out _);
        }
    }
}
