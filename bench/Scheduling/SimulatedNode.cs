using System.Diagnostics;
using FleetPods.Grains;

namespace FleetPods.Bench.Scheduling;

/// <summary>
/// One machine that runs nothing: a benchmark's agent, never a daemon's. It accepts the pods its node grain sends and
/// hands them to its fleet's one shared timer, which answers each launch once its pod runs; its pods are a
/// dictionary. Small on purpose (the target is 100 kB per agent): no task, timer or channel of its own.
/// </summary>
internal sealed class SimulatedNode(string name, NodeCredential credential, SimulatedFleet fleet) : INodeAgent
{
    private readonly Dictionary<string, PodPhase> pods = new(StringComparer.Ordinal);
    private INodeAgent? reference;
    private string? session;
    private int beating;
    private long beatDue;
    private long beatPeriod;
    private long reconcileDue = long.MaxValue;
    private int reconciling;
    private int runningAcknowledged;
    private volatile bool dead;

    public string Name => name;

    /// <summary>
    /// Its reports and its rounds take turns, as fleetpodsd's agent's do: a round's list is made before it reaches the
    /// node grain, so a pod launched and reported running while the round was on its way would be missing from a list
    /// its grain judges after the report, and taken for lost.
    /// </summary>
    public SemaphoreSlim Turn { get; } = new(1, 1);

    /// <summary>Its node certificate and key, which prove to its node grain that it is this node.</summary>
    public NodeCredential Credential => credential;

    /// <summary>The session its last attach returned, which its beats carry; null until it attached.</summary>
    public string? Session
    {
        get => Volatile.Read(ref session);
        set => Volatile.Write(ref session, value);
    }

    /// <summary>The observer reference its node grain calls, set once the fleet has attached it (it beats from then on).</summary>
    public INodeAgent? Reference
    {
        get => Volatile.Read(ref reference);
        set => Volatile.Write(ref reference, value);
    }

    public int PodCount
    {
        get
        {
            lock (pods)
            {
                return pods.Count;
            }
        }
    }

    /// <summary>Killed: it beats and reports no more, and every call to it fails, as if its process had died.</summary>
    public bool IsDead => dead;

    /// <summary>Its pods whose running report the cluster accepted.</summary>
    public int RunningAcknowledged => Volatile.Read(ref runningAcknowledged);

    public void Kill() => dead = true;

    public void AcknowledgeRunning(int pods) => Interlocked.Add(ref runningAcknowledged, pods);

    /// <summary>Whether a beat may start now: false while its last one is unanswered, and for good once it is dead.</summary>
    public bool TryStartBeat() => !dead && Interlocked.Exchange(ref beating, 1) == 0;

    public void EndBeat() => Volatile.Write(ref beating, 0);

    /// <summary>Whether its next beat is due at <paramref name="now"/> (a Stopwatch timestamp).</summary>
    public bool IsBeatDue(long now) => now >= Interlocked.Read(ref beatDue);

    /// <summary>Its next beat is due <paramref name="wait"/> from now (a retry, until an answer says otherwise).</summary>
    public void BeatAfter(TimeSpan wait) =>
        Interlocked.Exchange(ref beatDue, Stopwatch.GetTimestamp() + (long)(wait.TotalSeconds * Stopwatch.Frequency));

    /// <summary>The period between beats its server's last answer gave, which paces its rounds too.</summary>
    public TimeSpan BeatPeriod => TimeSpan.FromTicks(Interlocked.Read(ref beatPeriod));

    /// <summary>Beats every <paramref name="period"/> from now on, as its server's last answer said.</summary>
    public void BeatEvery(TimeSpan period)
    {
        Interlocked.Exchange(ref beatPeriod, period.Ticks);
        BeatAfter(period);
    }

    /// <summary>Whether a round may start now: due at <paramref name="now"/> (a Stopwatch timestamp), the last one answered, and it alive.</summary>
    public bool TryStartReconcile(long now) => !dead && now >= Interlocked.Read(ref reconcileDue) && Interlocked.Exchange(ref reconciling, 1) == 0;

    /// <summary>Its next round is due <paramref name="wait"/> from now.</summary>
    public void ReconcileAfter(TimeSpan wait)
    {
        Interlocked.Exchange(ref reconcileDue, Stopwatch.GetTimestamp() + (long)(wait.TotalSeconds * Stopwatch.Frequency));
        Volatile.Write(ref reconciling, 0);
    }

    /// <summary>What it tells its node grain when it attaches, and in each round: every pod it holds.</summary>
    public RuntimePod[] Held(DateTimeOffset now)
    {
        lock (pods)
        {
            return [.. pods.Select(p => new RuntimePod(p.Key, p.Value, p.Value == PodPhase.Exited ? 143 : null, null, now))];
        }
    }

    /// <summary>Moves a pod on, if it is still here (it may have been removed meanwhile); false if it is not.</summary>
    public bool Advance(string podId, PodPhase phase)
    {
        lock (pods)
        {
            if (dead || !pods.ContainsKey(podId))
            {
                return false;
            }

            pods[podId] = phase;
            return true;
        }
    }

    public Task<RuntimePod> RunPod(string podId, PodSpec spec)
    {
        ThrowIfDead();
        lock (pods)
        {
            pods[podId] = PodPhase.Preparing;
        }

        return fleet.Launch(this, podId);
    }

    public Task<PodStateReport> StopPod(string podId, TimeSpan grace)
    {
        ThrowIfDead();
        Advance(podId, PodPhase.Exited);
        return Task.FromResult(new PodStateReport(name, PodPhase.Exited, 143, null, DateTimeOffset.UtcNow));
    }

    public Task RemovePod(string podId, TimeSpan grace)
    {
        ThrowIfDead();
        lock (pods)
        {
            pods.Remove(podId);
        }

        return Task.CompletedTask;
    }

    public Task<PodLog> ReadPodLog(string podId, long offset, int maxBytes) => Task.FromResult(new PodLog(offset, [], offset, true));

    // A simulated pod is rendered nowhere, so it has no manifest.
    public Task<string?> ReadPodManifest(string podId) => Task.FromResult<string?>(null);

    public Task WritePodInput(string podId, string? session, byte[] data, bool endOfInput) => throw NoProcesses();

    public Task ResizePodTerminal(string podId, string? session, TerminalSize size) => throw NoProcesses();

    public Task<string> StartPodSession(string podId, PodEnterRequest request) => throw NoProcesses();

    public Task<PodSessionOutput> ReadPodSessionOutput(string podId, string session, long offset, int maxBytes) => throw NoProcesses();

    public Task EndPodSession(string podId, string session) => throw NoProcesses();

    public Task<IReadOnlyList<string>> CollectPodGarbage(TimeSpan gracePeriod) => Task.FromResult<IReadOnlyList<string>>([]);

    // A dead process answers nothing: failing at once with the timeout stands in for the call's wait.
    private void ThrowIfDead()
    {
        if (dead)
        {
            throw new TimeoutException($"node {name} is dead");
        }
    }

    private FleetPodsException NoProcesses() => new($"node {name} is simulated: its pods run no processes");
}
