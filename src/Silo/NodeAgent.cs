using System.Collections.Concurrent;
using System.Net;
using FleetPods.Grains;
using FleetPods.NodeRuntime;
using FleetPods.Silo.Security;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Runtime = FleetPods.NodeRuntime;

namespace FleetPods.Silo;

/// <summary>
/// Binds this machine's node grain to its NodeRuntime: announces the node when the silo is up (an agent attaches
/// its machine to the node grain on a server instead, and beats when the server's last answer said), re-attaches
/// to pods that outlived a previous daemon, forwards every state change the runtime observes to the pod's grain (a
/// launch's first past preparing as the launch's answer, <see cref="LaunchAnswers"/>; an agent's others through its
/// node grain, those that arrived while the last were under way in one call), and every
/// <see cref="ReconcilePeriod"/> (the first time right after start) tells the node grain every pod the
/// runtime knows, so a pod the cluster lists in a phase this machine contradicts is corrected (an agent's rounds are
/// paced with its beats, <see cref="ReconcileAfter"/>).
/// </summary>
public sealed class NodeAgent(
    DaemonOptions options,
    PodRuntime runtime,
    LocalNodeRuntime machine,
    LaunchAnswers answers,
    NodeCredentials credentials,
    IGrainFactory grains,
    ILogger<NodeAgent> logger) : BackgroundService, IDisposable
{
    public static readonly TimeSpan ReconcilePeriod = TimeSpan.FromSeconds(15);

    /// <summary>
    /// An agent reconciles at most once every this many of its beats (at the shortest beat period, 2 s, that is within
    /// <see cref="ReconcilePeriod"/>). A server paces its agents' beats by their number
    /// (NodeLivenessOptions.MaxHeartbeatsPerSecond), so their rounds are paced with them: at 10,000 agents a round every
    /// 15 s would be 667 a second, each asking every pod of its node for its state.
    /// </summary>
    public const int ReconcileBeats = 7;

    /// <summary>
    /// How long an agent waits to beat or attach again when no server answered (and the least it waits between beats,
    /// whatever a server says): a server's shortest period by default (NodeLivenessOptions.MinHeartbeatPeriod).
    /// </summary>
    public static readonly TimeSpan RetryPeriod = TimeSpan.FromSeconds(2);

    /// <summary>The longest an agent waits between beats, whatever a server says; past it the node would be down long after it died.</summary>
    public static readonly TimeSpan MaxHeartbeatPeriod = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long an agent waits for a beat's answer. A call sent toward a server that just died may wait out Orleans'
    /// response timeout; the beats behind it must not, or the node grain that took over on another server would declare
    /// this node down and its running pods lost. A lost beat costs this and <see cref="RetryPeriod"/> before the next
    /// one, which the server's grace (NodeLivenessOptions.HeartbeatGrace, 8 s) covers.
    /// </summary>
    public static readonly TimeSpan BeatTimeout = TimeSpan.FromSeconds(4);

    /// <summary>How long an agent waits for an attach's answer (its challenge and the attach), for the same reason as <see cref="BeatTimeout"/>.</summary>
    public static readonly TimeSpan AttachTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long an agent waits for one attempt of a report's answer. Reports and rounds take turns, so a call toward a
    /// server that just died must not hold the turn for Orleans' whole response timeout: the reports and rounds behind it
    /// would wait as long, and the pods they carry would stay listed in their last phase.
    /// </summary>
    public static readonly TimeSpan ReportTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How long an agent waits for a round's answer, for the same reason as <see cref="ReportTimeout"/>; a round asks every pod's grain, so it may take longer.</summary>
    public static readonly TimeSpan RoundTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The longest an agent waits between attaches the servers refused: the wait doubles from <see cref="RetryPeriod"/>
    /// with each refusal in a row, so an agent holding the wrong certificate does not keep a server checking it.
    /// </summary>
    public static readonly TimeSpan MaxRefusedWait = TimeSpan.FromMinutes(1);

    // The beat period the servers' last answer gave (ticks), which paces an agent's rounds; zero before the first.
    private long beatPeriod;

    // The last change of each pod forwarded to the cluster: what the runtime knows of it, as far as the cluster was told.
    private readonly ConcurrentDictionary<string, PodStateChange> forwarded = new(StringComparer.Ordinal);

    // Reports and reconcile rounds take turns. A round then sees every phase the cluster has been told, and never takes
    // a pod the cluster has just heard is preparing for one the runtime does not know.
    private readonly SemaphoreSlim turn = new(1, 1);

    // An agent's session from its last attach, which its pod reports carry (its node grain takes no others).
    private volatile string? attachedSession;

    // A report may meet a cluster that is still settling (a grain activating, a silo just started): retry it
    // with back-off rather than lose a pod's exit. Reports and rounds take turns, so a report must give up in
    // bounded time (a call to a cluster whose database is down may otherwise wait out Orleans' response timeout at
    // every attempt, and the reports queued behind it starve the rounds); what it could not tell, the next round does.
    private static readonly ResiliencePipeline ReportRetry = new ResiliencePipelineBuilder()
        .AddTimeout(TimeSpan.FromSeconds(30))
        .AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = 6,
            BackoffType = DelayBackoffType.Exponential,
            Delay = TimeSpan.FromMilliseconds(200),
            ShouldHandle = new PredicateBuilder().Handle<Exception>(ex => ex is not OperationCanceledException),
        })
        .AddTimeout(ReportTimeout)
        .Build();

    public static PodStateReport ToReport(string nodeName, PodStateChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        return new PodStateReport(nodeName, ToPhase(change.Phase), change.ExitCode, change.Reason, change.At) { OutOfMemory = change.OutOfMemory };
    }

    public override void Dispose()
    {
        turn.Dispose();
        base.Dispose();
    }

    private static Grains.PodPhase ToPhase(Runtime.PodPhase phase) => phase switch
    {
        Runtime.PodPhase.Preparing => Grains.PodPhase.Preparing,
        Runtime.PodPhase.Running => Grains.PodPhase.Running,
        Runtime.PodPhase.Exited => Grains.PodPhase.Exited,
        _ => Grains.PodPhase.Failed,
    };

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        options.Mode == DaemonMode.Agent ? RunAsAgent(stoppingToken) : RunOnSilo(stoppingToken);

    private async Task RunOnSilo(CancellationToken stoppingToken)
    {
        var node = grains.GetGrain<INodeGrain>(options.NodeName);
        var accelerator = KvmAccelerator();
        await Announce(node, accelerator);

        var recovered = await runtime.RecoverAsync(stoppingToken);
        foreach (var change in recovered)
        {
            await Report(change);
        }

        await FailPodsLostMeanwhile(node);
        var stale = await RemovePodsMovedAway(node, recovered.Select(c => c.PodId));
        logger.LogInformation("Node {Node} ready: {Recovered} pods recovered, {Stale} stale pods stopped", options.NodeName, recovered.Count - stale, stale);
        await Task.WhenAll(ForwardChanges(node, accelerator, stoppingToken), ReconcileEvery(node, stoppingToken));
    }

    // The pods the runtime recovered reach the cluster with the attach (the node grain reconciles them as a round
    // does: moved away, lost meanwhile, ahead of their grains); then reports and rounds as on a silo, and beats.
    private async Task RunAsAgent(CancellationToken stoppingToken)
    {
        var node = grains.GetGrain<INodeGrain>(options.NodeName);
        var accelerator = KvmAccelerator();
        foreach (var change in await runtime.RecoverAsync(stoppingToken))
        {
            forwarded[change.PodId] = change;
        }

        var self = grains.CreateObjectReference<INodeAgent>(machine);
        try
        {
            await Task.WhenAll(ForwardChanges(node, accelerator, stoppingToken), AttachAndBeat(node, self, stoppingToken), ReconcileEvery(node, stoppingToken));
        }
        finally
        {
            grains.DeleteObjectReference<INodeAgent>(self);
        }
    }

    // Each beat waits as long as the server's last answer said (it paces its agents by their number). A beat the node
    // grain refuses means it does not hold this agent (a server restarted, it declared the node down, or another attach
    // replaced this one's session): attach again with every pod the runtime holds. While no server answers the pods
    // keep running, and the agent tries every RetryPeriod. An attach the servers refuse is said each time, and tried
    // again ever later.
    private async Task AttachAndBeat(INodeGrain node, INodeAgent self, CancellationToken stoppingToken)
    {
        var attachedOnce = false;
        string? session = null;
        var reachable = true;
        var refusedWait = TimeSpan.Zero;
        var nextAttempt = DateTimeOffset.MinValue;
        var wait = TimeSpan.Zero;
        try
        {
            while (true)
            {
                await Task.Delay(wait, stoppingToken);
                wait = RetryPeriod;
                try
                {
                    if (session is not null && await node.Heartbeat(session).WaitAsync(BeatTimeout, stoppingToken) is { Accepted: true } answer)
                    {
                        wait = Paced(answer.NextBeat);
                        Interlocked.Exchange(ref beatPeriod, wait.Ticks);
                    }
                    else
                    {
                        session = null;
                        if (DateTimeOffset.UtcNow < nextAttempt)
                        {
                            continue;
                        }

                        (session, var pods, var first) = await Attach(node, self, stoppingToken);
                        wait = Paced(first);
                        Interlocked.Exchange(ref beatPeriod, wait.Ticks);
                        refusedWait = TimeSpan.Zero;
                        if (attachedOnce)
                        {
                            logger.LogInformation("Node {Node} attached again with {Pods} pods (its node grain no longer held it)", options.NodeName, pods);
                        }
                        else
                        {
                            logger.LogInformation("Node {Node} ready: attached as an agent with {Pods} pods", options.NodeName, pods);
                            attachedOnce = true;
                        }
                    }

                    if (!reachable)
                    {
                        logger.LogInformation("Node {Node} reaches the servers again", options.NodeName);
                        reachable = true;
                    }
                }
                catch (FleetPodsException ex) when (ex is not NodeUnavailableException)
                {
                    // The servers answered and refused the attach (this node's name is a silo's, its certificate revoked, say).
                    refusedWait = refusedWait == TimeSpan.Zero ? RetryPeriod : refusedWait * 2 > MaxRefusedWait ? MaxRefusedWait : refusedWait * 2;
                    nextAttempt = DateTimeOffset.UtcNow + refusedWait;
                    logger.LogError("Node {Node} was refused by the servers: {Reason}; trying again in {Wait}", options.NodeName, ex.Message, refusedWait);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    if (reachable)
                    {
                        logger.LogWarning("Node {Node} cannot reach the servers ({Reason}); its pods keep running, and it attaches again when one answers", options.NodeName, ex.Message);
                        reachable = false;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The daemon is stopping.
        }
    }

    /// <summary>
    /// The wait before the next beat a server's answer said, within <see cref="RetryPeriod"/> and
    /// <see cref="MaxHeartbeatPeriod"/>: a period out of them (a server misconfigured, or of another version) would make
    /// the agent beat in a tight loop, or so seldom that its node is down long before anyone notices.
    /// </summary>
    public static TimeSpan Paced(TimeSpan told) =>
        told < RetryPeriod ? RetryPeriod : told > MaxHeartbeatPeriod ? MaxHeartbeatPeriod : told;

    // Not in turn with reports and rounds: one of those waiting on a server that just died must not hold the attach
    // past the node grain's timeout. What it sends is never older than what the pods' grains heard, as a change is
    // recorded in `forwarded` before it is reported. The node grain's challenge, signed with this node's key, proves
    // to it that this is the node its name says (the TLS connection proved only some node of the cluster).
    private async Task<(string Session, int Pods, TimeSpan FirstBeat)> Attach(INodeGrain node, INodeAgent self, CancellationToken stoppingToken)
    {
        ForgetRemoved();
        RuntimePod[] pods = [.. forwarded.Values.Select(ToRuntimePod)];
        var session = await AttachWithProof(node, self, pods).WaitAsync(AttachTimeout, stoppingToken);
        attachedSession = session.Token;
        return (session.Token, pods.Length, session.NextBeat);
    }

    private async Task<AgentSession> AttachWithProof(INodeGrain node, INodeAgent self, RuntimePod[] pods)
    {
        var challenge = await node.Challenge();
        return await node.Attach(self, Announcement(KvmAccelerator()), pods, AttachProof.Sign(options.NodeName, challenge, credentials.Certificate));
    }

    private async Task ForwardChanges(INodeGrain node, string accelerator, CancellationToken stoppingToken)
    {
        await foreach (var change in runtime.StateChanges.ReadAllAsync(stoppingToken))
        {
            List<PodStateChange> changes = [change];
            if (options.Mode == DaemonMode.Agent)
            {
                // What arrived while the last reports were under way goes in one call (group commit, bounded).
                while (changes.Count < INodeGrain.MaxPodReports && runtime.StateChanges.TryRead(out var next))
                {
                    changes.Add(next);
                }
            }

            // A pod's `preparing` is what the pod's grain took when its node handed it over, and its first change past
            // that answers the RunPod still waiting for it: kept for the rounds and the attaches, not reported. Answered
            // in turn with the rounds, as reports are: a round's list made before the launch must reach the node grain
            // while the pod is still preparing there, or the pod would be taken for lost.
            var told = new List<PodStateChange>(changes.Count);
            await turn.WaitAsync(stoppingToken);
            try
            {
                foreach (var one in changes)
                {
                    if (one.Phase == Runtime.PodPhase.Preparing || answers.TryAnswer(one))
                    {
                        forwarded[one.PodId] = one;
                    }
                    else
                    {
                        told.Add(one);
                    }
                }
            }
            finally
            {
                turn.Release();
            }

            if (told.Count > 0 && options.Mode == DaemonMode.Agent)
            {
                await Report(node, told);
            }
            else
            {
                foreach (var one in told)
                {
                    await Report(one);
                }
            }

            // The first kvm pod probes the accelerator; list-machines then shows what it found.
            if (changes.Any(c => c.Phase != Runtime.PodPhase.Preparing) && accelerator == "auto" && KvmAccelerator() is not "auto" and var probed)
            {
                accelerator = probed;
                await Announce(node, accelerator);
            }
        }
    }

    /// <summary>The wait between an agent's rounds, given the period between its beats: <see cref="ReconcilePeriod"/>, or <see cref="ReconcileBeats"/> beats if longer.</summary>
    public static TimeSpan ReconcileAfter(TimeSpan beatPeriod) =>
        beatPeriod * ReconcileBeats > ReconcilePeriod ? beatPeriod * ReconcileBeats : ReconcilePeriod;

    private async Task ReconcileEvery(INodeGrain node, CancellationToken stoppingToken)
    {
        try
        {
            while (true)
            {
                await ReconcileOnce(node, stoppingToken);
                await Task.Delay(options.Mode == DaemonMode.Agent ? ReconcileAfter(TimeSpan.FromTicks(Interlocked.Read(ref beatPeriod))) : ReconcilePeriod, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The daemon is stopping.
        }
    }

    private async Task ReconcileOnce(INodeGrain node, CancellationToken stoppingToken)
    {
        await turn.WaitAsync(stoppingToken);
        try
        {
            ForgetRemoved();
            await node.ReconcilePods([.. forwarded.Values.Select(ToRuntimePod)]).WaitAsync(RoundTimeout, stoppingToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The cluster may be settling or its database down; the next round tries again.
            logger.LogWarning("Node {Node} could not reconcile its pods with the cluster: {Reason}", options.NodeName, ex.Message);
        }
        finally
        {
            turn.Release();
        }
    }

    internal static RuntimePod ToRuntimePod(PodStateChange change) =>
        new(change.PodId, ToPhase(change.Phase), change.ExitCode, change.Reason, change.At) { OutOfMemory = change.OutOfMemory };

    private void ForgetRemoved()
    {
        foreach (var removed in forwarded.Keys.Where(id => !runtime.Knows(id)))
        {
            forwarded.TryRemove(removed, out _);
        }
    }

    private Task Announce(INodeGrain node, string kvmAccelerator) => node.Announce(Announcement(kvmAccelerator));

    // Where the node is reached: a silo at its gateway, an agent (which has none) at its HTTP API.
    private NodeAnnouncement Announcement(string kvmAccelerator)
    {
        var capacity = runtime.ReadCapacity();
        var address = options.Mode == DaemonMode.Agent ? $"{options.AdvertisedAddress}:{options.ApiPort}"
            : $"{(options.ClusterConnectionString is null ? Dns.GetHostName() : options.AdvertisedAddress.ToString())}:{options.GatewayPort}";
        return new NodeAnnouncement(
            address,
            options.Metadata,
            new ResourceRequest(capacity.MemoryBytes, capacity.CpuMillis),
            Stage1Option.Offered(options.Stage1Flavors, canRunKvm: kvmAccelerator.Length > 0))
        {
            KvmAccelerator = kvmAccelerator,
        };
    }

    // Known without booting anything: a probe at start would cost every daemon seconds of CPU for pods it may never run.
    private string KvmAccelerator()
    {
        try
        {
            return runtime.KnownKvmAccelerator()?.ToString().ToLowerInvariant() ?? "auto";
        }
        catch (PodLaunchException ex)
        {
            logger.LogInformation("Stage1 kvm is not available on this node: {Reason}", ex.Message);
            return "";
        }
    }

    // A pod the cluster believes is preparing or running here, but that the runtime does not know
    // after a restart, is gone (its tree was removed, or the machine rebooted): say so rather than wait forever.
    private async Task FailPodsLostMeanwhile(INodeGrain node)
    {
        foreach (var podId in await node.ListPods())
        {
            if (runtime.Knows(podId))
            {
                continue;
            }

            runtime.ForgetLost(podId);
            var status = await grains.GetGrain<IPodGrain>(podId).GetStatus();
            if (status is { Phase: Grains.PodPhase.Preparing or Grains.PodPhase.Running } && status.NodeName == options.NodeName)
            {
                await grains.GetGrain<IPodGrain>(podId).MarkLost($"lost: not found on node {options.NodeName} after its daemon restarted");
            }
        }
    }

    // While this node was away the cluster may have declared its pods lost and run them elsewhere: such a pod
    // is forgotten, placed on another node, or failed as lost. It must not keep running here, or its unit would
    // run more pods than it asks for.
    private async Task<int> RemovePodsMovedAway(INodeGrain node, IEnumerable<string> recovered)
    {
        var removed = 0;
        foreach (var podId in (await node.ListPods()).Concat(recovered).Distinct(StringComparer.Ordinal))
        {
            var status = await grains.GetGrain<IPodGrain>(podId).GetStatus();
            var movedAway = status is null
                || (status.NodeName is { } placed && placed != options.NodeName)
                || status.IsLost;
            if (movedAway)
            {
                logger.LogWarning("Pod {PodId} of {Unit} was moved off node {Node} while it was away: stopping it here",
                    podId, status?.UnitName ?? "(gone)", options.NodeName);
                await node.RemovePod(podId, TimeSpan.Zero);
                removed++;
            }
        }

        return removed;
    }

    // An agent's reports, through its node grain with the session that proved the node; one pod's latest counts. A
    // refused one (its grain holds another session, or none) is not tried again: it is in `forwarded` already, so the
    // next attach carries it, or, if that attach was made just before, the next round.
    private async Task Report(INodeGrain node, List<PodStateChange> changes)
    {
        await turn.WaitAsync();
        try
        {
            foreach (var change in changes)
            {
                forwarded[change.PodId] = change;
            }

            RuntimePod[] pods = [.. changes.GroupBy(c => c.PodId, StringComparer.Ordinal).Select(g => ToRuntimePod(g.Last()))];
            var taken = false;
            await ReportRetry.ExecuteAsync(async attempt =>
                taken = attachedSession is { } session && await node.ReportPods(session, pods).WaitAsync(attempt));
            if (!taken)
            {
                logger.LogInformation("Node {Node}'s grain did not take {Pods} pod reports: it no longer holds this agent's attach; the next attach carries them", options.NodeName, pods.Length);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The next reconcile round tells the pods' grains what the reports could not.
            logger.LogError("Could not report {Pods} pods' states to node {Node}'s grain: {Reason}", changes.Count, options.NodeName, ex.Message);
        }
        finally
        {
            turn.Release();
        }
    }

    private async Task Report(PodStateChange change)
    {
        await turn.WaitAsync();
        try
        {
            forwarded[change.PodId] = change;
            var report = ToReport(options.NodeName, change);
            await ReportRetry.ExecuteAsync(async attempt => await grains.GetGrain<IPodGrain>(change.PodId).ReportState(report).WaitAsync(attempt));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The next reconcile round tells the pod's grain what its report could not.
            logger.LogError("Could not report pod {PodId} {Phase} to its grain: {Reason}", change.PodId, change.Phase, ex.Message);
        }
        finally
        {
            turn.Release();
        }
    }
}
