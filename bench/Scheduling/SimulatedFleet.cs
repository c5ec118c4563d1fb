using System.Collections.Concurrent;
using System.Diagnostics;
using FleetPods.Grains;
using FleetPods.Grains.UnitFiles;
using FleetPods.Silo;

namespace FleetPods.Bench.Scheduling;

/// <summary>
/// Every simulated agent of a run, attached through one Orleans client. One timer moves every pod on: a pod is
/// preparing from its RunPod on, and runs <c>launchDelay</c> after, which answers its RunPod as fleetpodsd's agent's
/// launches answer within <see cref="LaunchAnswers.Wait"/>. A longer delay is answered preparing at once and reported
/// running after, each agent's reports due at a tick in one call to its node grain with its session
/// (<see cref="INodeGrain.ReportPods"/>, as fleetpodsd's agent sends what queued meanwhile). One loop beats
/// for every agent, each when its server's last answer said (an attach's or a beat's), or a retry period after a beat
/// that failed. An agent whose beat is refused (its node grain lost it, or declared it down) attaches again with the
/// pods it holds. The same loop has each agent tell its node grain every pod it holds, as fleetpodsd's agent does in
/// each round (<see cref="INodeGrain.ReconcilePods"/>, paced with its beats by <see cref="NodeAgent.ReconcileAfter"/>),
/// the first at a random point of its first period, as agents that started at different times would.
/// </summary>
internal sealed class SimulatedFleet : IAsyncDisposable
{
    /// <summary>What each simulated machine offers: room for far more pods than a run gives it.</summary>
    public static readonly ResourceRequest Capacity = new(256L << 30, 64_000);

    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(10);

    // How often the beat loop looks for agents whose beat is due: a beat is late by at most this, far within the grace.
    private static readonly TimeSpan BeatTick = TimeSpan.FromMilliseconds(100);
    private const int MaxReportsInFlight = 1024;
    private const int MaxReportAttempts = 5;

    private readonly IClusterClient client;
    private readonly TimeSpan launchDelay;
    private readonly SimulatedNode[] nodes;

    // Due in Stopwatch ticks. Each queue is in due order: what enters it is due a constant delay after it enters.
    private readonly ConcurrentQueue<Report> running = new();
    private readonly ConcurrentQueue<Answer> answers = new();
    private readonly SemaphoreSlim inFlight = new(MaxReportsInFlight);
    private readonly CancellationTokenSource stop = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> launched = new(StringComparer.Ordinal);
    private Task loops = Task.CompletedTask;
    private int runningReports;
    private long lastRunningAt;
    private int failedCalls;
    private int reattached;

    private SimulatedFleet(IClusterClient client, int count, RunPki pki, TimeSpan launchDelay)
    {
        this.client = client;
        this.launchDelay = launchDelay;
        nodes = [.. Enumerable.Range(0, count).Select(i => $"sim-{i:D5}").Select(name => new SimulatedNode(name, pki.Issue(name), this))];
    }

    public IReadOnlyList<SimulatedNode> Nodes => nodes;

    /// <summary>Pods whose launch was answered running, or whose running report the cluster accepted.</summary>
    public int Running => Volatile.Read(ref runningReports);

    /// <summary>Pods a node grain asked an agent to run.</summary>
    public int Launched => launched.Count;

    /// <summary>The Stopwatch timestamp of the last launch answered running or running report accepted.</summary>
    public long LastRunningAt => Interlocked.Read(ref lastRunningAt);

    /// <summary>Report calls (failed or refused), beats, rounds and re-attachments that failed (each report is tried again, up to five times).</summary>
    public int FailedCalls => Volatile.Read(ref failedCalls);

    /// <summary>Agents that attached again after a refused beat.</summary>
    public int Reattached => Volatile.Read(ref reattached);

    /// <summary>When each pod's RunPod reached its agent (after its node grain reserved it), by pod id.</summary>
    public IReadOnlyDictionary<string, DateTimeOffset> LaunchedAt => launched;

    /// <summary>Makes <paramref name="count"/> agents, each with a node certificate of <paramref name="pki"/>.</summary>
    public static SimulatedFleet Create(IClusterClient client, int count, RunPki pki, TimeSpan launchDelay) =>
        new(client, count, pki, launchDelay);

    /// <summary>Attaches every agent, <paramref name="parallelism"/> at a time, each proving it is its node; then reports and beats.</summary>
    public async Task AttachAll(int parallelism)
    {
        // Beating from the start: attaching thousands takes longer than the server waits for a first beat.
        loops = Task.WhenAll(SendDue(), Beat());
        await Parallel.ForEachAsync(nodes, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, async (node, _) =>
        {
            var reference = client.CreateObjectReference<INodeAgent>(node);
            await AttachOne(node, reference);
            node.Reference = reference;
        });
    }

    /// <summary>Called by a node's RunPod, the pod preparing: the answer, the pod running after the launch delay.</summary>
    public Task<RuntimePod> Launch(SimulatedNode node, string podId)
    {
        launched[podId] = DateTimeOffset.UtcNow;
        if (launchDelay > LaunchAnswers.Wait)
        {
            running.Enqueue(new Report(node, podId, PodPhase.Running, DueAfterDelay(), 1));
            return Task.FromResult(new RuntimePod(podId, PodPhase.Preparing, null, null, DateTimeOffset.UtcNow));
        }

        var answer = new TaskCompletionSource<RuntimePod>(TaskCreationOptions.RunContinuationsAsynchronously);
        answers.Enqueue(new Answer(node, podId, answer, DueAfterDelay()));
        return answer.Task;
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await loops;
        foreach (var node in nodes.Where(n => n.Reference is not null))
        {
            client.DeleteObjectReference<INodeAgent>(node.Reference!);
        }

        stop.Dispose();
        inFlight.Dispose();
    }

    // As fleetpodsd's agent attaches: a challenge of its node grain, signed with its node's key.
    private async Task AttachOne(SimulatedNode node, INodeAgent reference)
    {
        var grain = client.GetGrain<INodeGrain>(node.Name);
        var announcement = new NodeAnnouncement(node.Name, new Dictionary<string, string>(), Capacity, [Stage1Flavor.Ns]);
        var proof = node.Credential.Prove(node.Name, await grain.Challenge());
        var session = await grain.Attach(reference, announcement, node.Held(DateTimeOffset.UtcNow), proof);
        node.Session = session.Token;
        node.BeatEvery(NodeAgent.Paced(session.NextBeat));
        node.ReconcileAfter(NodeAgent.ReconcileAfter(node.BeatPeriod) * Random.Shared.NextDouble());
    }

    private async Task SendDue()
    {
        using var timer = new PeriodicTimer(Tick);
        try
        {
            while (await timer.WaitForNextTickAsync(stop.Token))
            {
                var now = Stopwatch.GetTimestamp();
                while (answers.TryPeek(out var next) && next.At <= now && answers.TryDequeue(out var answer))
                {
                    _ = AnswerLaunch(answer);
                }

                List<Report> due = [];
                while (running.TryPeek(out var next) && next.At <= now && running.TryDequeue(out var report))
                {
                    due.Add(report);
                }

                foreach (var batch in due.GroupBy(r => r.Node).SelectMany(reports => reports.Chunk(INodeGrain.MaxPodReports)))
                {
                    await inFlight.WaitAsync(stop.Token);
                    _ = Send(batch);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The run is over.
        }
    }

    // One agent's reports. A call that fails, is refused (the agent's session is stale until its next beat attaches it
    // again) or goes unanswered for NodeAgent.ReportTimeout (its node grain's server died) is tried again after the
    // launch delay, up to five times. Rounds are bounded too: both hold the agent's turn, as fleetpodsd's agent does.
    private async Task Send(Report[] batch)
    {
        var node = batch[0].Node;
        Report[] live = [];
        await node.Turn.WaitAsync();
        try
        {
            live = [.. batch.Where(r => node.Advance(r.PodId, r.Phase))];
            if (live.Length == 0)
            {
                return;
            }

            var now = DateTimeOffset.UtcNow;
            if (node.Session is not { } session
                || !await client.GetGrain<INodeGrain>(node.Name).ReportPods(session, [.. live.Select(r => new RuntimePod(r.PodId, r.Phase, null, null, now))]).WaitAsync(NodeAgent.ReportTimeout))
            {
                Retry(live);
                return;
            }

            node.AcknowledgeRunning(live.Length);
            Interlocked.Add(ref runningReports, live.Length);
            Interlocked.Exchange(ref lastRunningAt, Stopwatch.GetTimestamp());
        }
        catch (Exception ex) when (ex is OrleansException or TimeoutException or OperationCanceledException or FleetPodsException)
        {
            Retry(live);
        }
        finally
        {
            node.Turn.Release();
            inFlight.Release();
        }
    }

    // In turn with the agent's rounds, as fleetpodsd's agent answers: a round's list made before the launch reaches the
    // node grain while the pod is still preparing there. A dead agent answers nothing: its call times out, which
    // failing at once with the timeout stands in for.
    private async Task AnswerLaunch(Answer answer)
    {
        if (answer.Node.IsDead)
        {
            answer.Pod.SetException(new TimeoutException($"node {answer.Node.Name} is dead"));
            return;
        }

        bool runs;
        await answer.Node.Turn.WaitAsync();
        try
        {
            runs = answer.Node.Advance(answer.PodId, PodPhase.Running);
            answer.Pod.SetResult(new RuntimePod(answer.PodId, runs ? PodPhase.Running : PodPhase.Preparing, null, null, DateTimeOffset.UtcNow));
        }
        finally
        {
            answer.Node.Turn.Release();
        }

        if (runs)
        {
            answer.Node.AcknowledgeRunning(1);
            Interlocked.Increment(ref runningReports);
            Interlocked.Exchange(ref lastRunningAt, Stopwatch.GetTimestamp());
        }
    }

    // Into the queue that is due after the launch delay, whatever their phase: it stays in due order.
    private void Retry(Report[] reports)
    {
        Interlocked.Increment(ref failedCalls);
        foreach (var report in reports.Where(r => r.Attempt < MaxReportAttempts))
        {
            running.Enqueue(report with { At = DueAfterDelay(), Attempt = report.Attempt + 1 });
        }
    }

    private long DueAfterDelay() => Stopwatch.GetTimestamp() + (long)(launchDelay.TotalSeconds * Stopwatch.Frequency);

    // A beat the server is slow to answer holds up neither the loop nor the other agents; the agent skips its beats
    // until that one is answered, as a real agent would.
    private async Task Beat()
    {
        using var timer = new PeriodicTimer(BeatTick);
        try
        {
            while (await timer.WaitForNextTickAsync(stop.Token))
            {
                var now = Stopwatch.GetTimestamp();
                foreach (var node in nodes.Where(n => n.Reference is not null))
                {
                    if (node.IsBeatDue(now) && node.TryStartBeat())
                    {
                        _ = BeatOne(node);
                    }

                    if (node.TryStartReconcile(now))
                    {
                        _ = ReconcileOne(node);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The run is over.
        }
    }

    private async Task BeatOne(SimulatedNode node)
    {
        try
        {
            // Bounded as fleetpodsd's agent bounds them: a beat stuck toward a server that died must not silence the agent.
            // Until an answer says otherwise, the next try is a retry period away.
            node.BeatAfter(NodeAgent.RetryPeriod);
            if (node.Session is { } session && await client.GetGrain<INodeGrain>(node.Name).Heartbeat(session).WaitAsync(NodeAgent.BeatTimeout) is { Accepted: true } answer)
            {
                node.BeatEvery(NodeAgent.Paced(answer.NextBeat));
            }
            else
            {
                await AttachOne(node, node.Reference!).WaitAsync(NodeAgent.AttachTimeout);
                Interlocked.Increment(ref reattached);
            }
        }
        catch (Exception ex) when (ex is OrleansException or TimeoutException or OperationCanceledException or FleetPodsException)
        {
            Interlocked.Increment(ref failedCalls);
        }
        finally
        {
            node.EndBeat();
        }
    }

    private async Task ReconcileOne(SimulatedNode node)
    {
        var wait = NodeAgent.ReconcileAfter(NodeAgent.RetryPeriod);
        await node.Turn.WaitAsync();
        try
        {
            await client.GetGrain<INodeGrain>(node.Name).ReconcilePods(node.Held(DateTimeOffset.UtcNow)).WaitAsync(NodeAgent.RoundTimeout);
            wait = NodeAgent.ReconcileAfter(node.BeatPeriod);
        }
        catch (Exception ex) when (ex is OrleansException or TimeoutException or OperationCanceledException or FleetPodsException)
        {
            Interlocked.Increment(ref failedCalls);
        }
        finally
        {
            node.Turn.Release();
            node.ReconcileAfter(wait);
        }
    }

    private sealed record Report(SimulatedNode Node, string PodId, PodPhase Phase, long At, int Attempt);

    private sealed record Answer(SimulatedNode Node, string PodId, TaskCompletionSource<RuntimePod> Pod, long At);
}
