using System.Runtime.InteropServices;
using System.Security.Cryptography;
using FleetPods.Grains.Cluster;
using FleetPods.Grains.Storage;
using FleetPods.Grains.Placement;
using FleetPods.Grains.Pods;
using FleetPods.Grains.Scheduling;
using FleetPods.Grains.Security;
using FleetPods.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FleetPods.Grains.Nodes;

[NodeGrainPlacement]
public sealed class NodeGrain(
    [PersistentState(StoredNode.StateName, GrainStorage.Name)] IPersistentState<NodeState> state,
    IClusterMembershipService membership,
    PodPolicy policy,
    TimeProvider time,
    ILogger<NodeGrain> logger) : Grain, INodeGrain, INodeClaims
{
    // A pod grain that does not answer in time (busy calling this node, or on a silo that just died) waits for the next round.
    private static readonly TimeSpan PodTimeout = TimeSpan.FromSeconds(3);

    // A round's list of what the machine runs is made before it reaches this grain, so a pod launched meanwhile is not
    // in it: a preparing pod is not taken for lost until this long after its launch (a call's longest wait, Orleans'
    // response timeout). Seen in the benchmark, whose agents' rounds met launches: 6 healthy pods of 100,000 were lost.
    // An agent answers a launch in turn with its rounds, so a pod is still preparing here while a round that lacks it is
    // on its way (1–4 pods of 100,000 were lost while the answers did not wait for the rounds).
    private static readonly TimeSpan LaunchGrace = TimeSpan.FromSeconds(30);

    private readonly AttachChallenges challenges = new(time);

    // The machine: this silo's own runtime for a silo's node, else the agent attached (none while it is down).
    private INodeDriver? driver;

    // The session of the agent that proved itself last: only its beats keep the node up.
    private string? agentSession;
    private bool declaredDown;

    // Whether this grain's agent counts among this server's live agents (it does from its attach to its node's end).
    private bool counted;

    // When the node is down without another beat, and the one timer that looks then: a beat only moves the deadline,
    // and the timer, firing at the old one, sleeps again until the new one, so beats cost no timer ticks.
    private DateTimeOffset deadline;
    private IGrainTimer? deadlineTimer;
    private DateTimeOffset? armedFor;

    // This server's: set as the grain activates.
    private HeartbeatPacing pacing = null!;
    private LiveAgents liveAgents = null!;

    // The node as this activation holds it. Its reservations are soft state, never stored: rebuilt after a server restart
    // from its pods, which claim them as they activate (INodeClaims), and from its machine's rounds. Each write stores a
    // copy of the rest (GroupCommit: heartbeats interleave with the calls that change it), which a failed write reloads.
    private NodeState node = null!;
    private GroupCommit commit = null!;

    // When this activation launched each pod (TimeProvider timestamps), until a round lists it or the grace is over.
    private readonly Dictionary<string, long> launchedAt = new(StringComparer.Ordinal);

    // The launches whose machine has not answered yet (RunPod answers once the pod runs, within the machine's bound).
    private readonly Dictionary<string, Task<RuntimePod>> launching = new(StringComparer.Ordinal);

    // Orders this activation's reports to the node view after any earlier activation's (see NodeReport.Sequence).
    private long reportSequence = NodeReport.Now;

    // The silo's sender (internal, so not among this public grain's constructor's parameters).
    private NodeReportSender? reports;

    // Read once: each read of the key makes a new string, which reports, views and pods would each keep.
    private string? key;

    private string Name => key ??= this.GetPrimaryKeyString();

    // Why a pod of a node declared down is lost, whether it was held then or claimed its room later.
    private string StoppedAnswering => $"lost: node {Name} stopped answering";

    private INodeDriver Driver => driver ?? throw new NodeUnavailableException($"node {Name} is down: its agent is not attached");

    private INodeAgent Machine => Driver.Machine;

    private bool IsSiloNode => driver is SiloNodeDriver;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        commit = new GroupCommit(Write, Reloaded);
        Reloaded();
        pacing = ServiceProvider.GetRequiredService<HeartbeatPacing>();
        liveAgents = ServiceProvider.GetRequiredService<LiveAgents>();
        if (ServiceProvider.GetService<LocalNode>() is { } local && local.NodeName == Name)
        {
            driver = new SiloNodeDriver(local.Machine, GrainFactory.GetGrain<IImageStoreGrain>(Name));
        }
        else if (membership.CurrentSnapshot.Members.Values.Any(m => m.Name == Name))
        {
            // A silo's node lives on that silo; NodeGrainPlacementDirector sends it nowhere else while the silo is known.
            throw new FleetPodsException($"node grain '{Name}' was activated on the silo of node '{ServiceProvider.GetService<LocalNode>()?.NodeName ?? "(none)"}'");
        }
        else
        {
            // An agent's node: down unless its agent attaches (again, after a server restart) before it would have
            // beaten at the longest period it may have been told, or this server would tell, plus the grace.
            deadlineTimer = this.RegisterGrainTimer(_ => OnDeadline(), new GrainTimerCreationOptions(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan));
            var longest = pacing.Longest(liveAgents.Count);
            Expect(node.LongestBeatPeriod > longest ? node.LongestBeatPeriod : longest);
        }

        return base.OnActivateAsync(cancellationToken);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        Uncount();
        return base.OnDeactivateAsync(reason, cancellationToken);
    }

    async Task INodeGrain.Announce(NodeAnnouncement announcement)
    {
        await new KeyRegistry(GrainFactory, RegistryKind.Nodes).Add(Name);
        node.Announcement = announcement;
        node.AnnouncedAt = time.GetUtcNow();
        await commit.Save();
        await Report();
        logger.LogInformation("Node {Node} announced at {Address}: {CpuMillis}m CPU, {MemoryBytes} bytes memory",
            Name, announcement.Address, announcement.Capacity.CpuMillis, announcement.Capacity.MemoryBytes);
    }

    Task<NodeInfo?> INodeGrain.GetInfo() => Task.FromResult(driver is null ? null : Describe());

    Task<NodeStatus> INodeGrain.GetStatus() => Task.FromResult(new NodeStatus(Name, driver is null ? NodeLiveness.Down : NodeLiveness.Up, Describe()));

    Task<byte[]> INodeGrain.Challenge() => Task.FromResult(challenges.Issue());

    async Task<AgentSession> INodeGrain.Attach(INodeAgent agent, NodeAnnouncement announcement, IReadOnlyList<RuntimePod> pods, AttachProof proof)
    {
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentNullException.ThrowIfNull(announcement);
        ArgumentNullException.ThrowIfNull(pods);
        ArgumentNullException.ThrowIfNull(proof);
        if (IsSiloNode)
        {
            throw new AttachRefusedException($"node {Name} is a silo of the cluster: an agent cannot attach as it");
        }

        // Taken first: a challenge a refused attach named is used up too, so no proof is tried twice against it.
        var why = !challenges.Take(proof.Challenge) ? $"its challenge is stale or unknown (each is good for one attach within {AttachChallenges.Lifetime.TotalSeconds:0} s)"
            : ServiceProvider.GetService<ClusterTrust>() is not { } trust ? "this server has no cluster CA to check its certificate with"
            : AttachProofCheck.Refusal(proof, Name, trust);
        if (why is not null)
        {
            logger.LogWarning("Refused an agent's attach as node {Node}: {Reason}", Name, why);
            throw new AttachRefusedException($"attach as node {Name} refused: {why}");
        }

        driver = new AgentNodeDriver(Name, agent);
        var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
        agentSession = token;
        declaredDown = false;
        if (!counted)
        {
            liveAgents.Add();
            counted = true;
        }

        // Saved with the announcement, so the period told below is seldom more than was stored.
        RaiseLongestBeatPeriod();
        await ((INodeGrain)this).Announce(announcement);
        await GrainFactory.GetGrain<IDownNodesGrain>(IDownNodesGrain.Key).Remove(Name);
        await Reconcile(pods);
        logger.LogInformation("Node {Node} attached as an agent with {Pods} pods", Name, pods.Count);

        // Counted from the answer: an attach that reconciled many pods took time the agent did not have to beat in.
        return new AgentSession(token, await Pace());
    }

    async Task INodeClaims.Claim(PodClaim claim)
    {
        ArgumentNullException.ThrowIfNull(claim);
        var podId = claim.Pod.PodId;
        if (node.Reservations.ContainsKey(podId))
        {
            return;
        }

        if (declaredDown)
        {
            // The node died while the pod's grain was not active (a server restart): the pod is lost as its other pods were.
            logger.LogWarning("Pod {PodId} claims room on node {Node}, which is down: marking it lost", podId, Name);
            await GrainFactory.GetGrain<IPodGrain>(podId).MarkLost(StoppedAnswering).WaitAsync(PodTimeout);
            return;
        }

        Hold(claim.Pod, claim.Resources);
        Report().Ignore();
    }

    async Task<HeartbeatAnswer> INodeGrain.Heartbeat(string session) =>
        driver is not AgentNodeDriver || agentSession is not { } current || !IsCurrent(current, session)
            ? HeartbeatAnswer.Refused
            : new HeartbeatAnswer(true, await Pace());

    // The one place a reservation is decided: the scheduler's view may be stale, this one is not. A pod to run is answered
    // once its machine took it: the machine's answer is told to the pod when it comes (TellAnswer).
    async Task<ReservationAnswer> INodeGrain.Reserve(PlacementRequest request, PodSpec? run)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!node.Reservations.ContainsKey(request.PodId))
        {
            var info = driver is null ? null : Describe();
            var wanted = request.Resources;
            if (info is null || wanted.MemoryBytes > info.FreeMemoryBytes || wanted.CpuMillis > info.FreeCpuMillis
                || !Stage1Filter.Offers(info, request.Stage1) || ConflictsFilter.FindConflict(info.Pods, request) is not null)
            {
                return ReservationAnswer.Refused;
            }

            // Not stored: a pod that is stored as placed here claims its room again after a server restart, and one that
            // is not was never made (its unit makes another; this machine stops it when it reconciles).
            Hold(request.AsPlaced(), wanted);
            Report().Ignore();
        }

        if (run is null)
        {
            return ReservationAnswer.Held;
        }

        try
        {
            await Run(request.PodId, run);
            return ReservationAnswer.Running;
        }
        catch (Exception ex) when (UnansweredCall.Is(ex))
        {
            return ReservationAnswer.NotLaunched(ex.Message);
        }
    }

    async Task INodeGrain.Release(string podId)
    {
        if (Free(podId))
        {
            // Waited for, so the room is free for placement once a pod's end or removal returns (a destroy and then a
            // start sees it). A report the view did not take is sent again by the sender, which the caller need not wait for.
            try
            {
                await Report();
            }
            catch (Exception ex) when (ex is OrleansException or TimeoutException or OperationCanceledException)
            {
                logger.LogDebug("Node {Node}'s release of pod {PodId} reaches the node view later: {Reason}", Name, podId, ex.Message);
            }
        }
    }

    Task<IReadOnlyList<string>> INodeGrain.ListPods() =>
        Task.FromResult<IReadOnlyList<string>>([.. node.Reservations.Keys.Order(StringComparer.Ordinal)]);

    Task INodeGrain.RunPod(string podId, PodSpec spec)
    {
        ArgumentNullException.ThrowIfNull(podId);
        ArgumentNullException.ThrowIfNull(spec);
        return Run(podId, spec);
    }

    async Task<PodStateReport> INodeGrain.StopPod(string podId, TimeSpan grace)
    {
        await Launched(podId);
        return await Machine.StopPod(podId, grace);
    }

    async Task INodeGrain.RemovePod(string podId, TimeSpan grace)
    {
        // A down agent's pods are stopped on it when it attaches again (the pod is gone by then); its reservation goes now.
        if (driver is not null)
        {
            await Launched(podId);
            await driver.Machine.RemovePod(podId, grace);
        }

        await ((INodeGrain)this).Release(podId);
    }

    Task<PodLog> INodeGrain.ReadPodLog(string podId, long offset, int maxBytes) =>
        Machine.ReadPodLog(podId, offset, maxBytes);

    Task<string?> INodeGrain.ReadPodManifest(string podId) => Machine.ReadPodManifest(podId);

    Task INodeGrain.WritePodInput(string podId, string? session, byte[] data, bool endOfInput) => Machine.WritePodInput(podId, session, data, endOfInput);

    Task INodeGrain.ResizePodTerminal(string podId, string? session, TerminalSize size) => Machine.ResizePodTerminal(podId, session, size);

    Task<string> INodeGrain.StartPodSession(string podId, PodEnterRequest request) => Machine.StartPodSession(podId, request);

    Task<PodSessionOutput> INodeGrain.ReadPodSessionOutput(string podId, string session, long offset, int maxBytes) =>
        Machine.ReadPodSessionOutput(podId, session, offset, maxBytes);

    Task INodeGrain.EndPodSession(string podId, string session) => Machine.EndPodSession(podId, session);

    Task<IReadOnlyList<string>> INodeGrain.CollectPodGarbage(TimeSpan gracePeriod) => Machine.CollectPodGarbage(gracePeriod);

    Task INodeGrain.ReconcilePods(IReadOnlyList<RuntimePod> pods)
    {
        ArgumentNullException.ThrowIfNull(pods);
        return Reconcile(pods);
    }

    // Interleaved: a pod's grain that takes its end releases the pod here, which must not wait for this call to end.
    // Only the session and the reservations are read, before the first await.
    async Task<bool> INodeGrain.ReportPods(string session, RuntimePod[] pods)
    {
        ArgumentNullException.ThrowIfNull(pods);
        if (driver is not AgentNodeDriver || agentSession is not { } current || !IsCurrent(current, session))
        {
            return false;
        }

        if (pods.Length > INodeGrain.MaxPodReports)
        {
            throw new FleetPodsException($"node {Name} takes at most {INodeGrain.MaxPodReports} pod reports a call, not {pods.Length}");
        }

        // A loop rather than LINQ's grouping: nearly every call carries one pod (one agent's pods start seconds apart).
        var handed = new List<Task>(pods.Length);
        for (var i = 0; i < pods.Length; i++)
        {
            if (pods[i]?.PodId is { } id && node.Reservations.ContainsKey(id) && !ReportedLater(pods, i, id))
            {
                var p = pods[i];
                handed.Add(GrainFactory.GetGrain<IPodGrain>(id).ReportState(new PodStateReport(Name, p.Phase, p.ExitCode, p.Reason, p.At) { OutOfMemory = p.OutOfMemory }));
            }
        }

        await Task.WhenAll(handed);
        return true;
    }

    // Whether a pod's report at `index` is followed by another of the same pod, which is the one that counts.
    private static bool ReportedLater(RuntimePod[] pods, int index, string podId)
    {
        for (var j = index + 1; j < pods.Length; j++)
        {
            if (string.Equals(pods[j]?.PodId, podId, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private async Task Reconcile(IReadOnlyList<RuntimePod> pods)
    {
        var held = pods.GroupBy(p => p.PodId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
        foreach (var podId in launchedAt.Keys.Where(id => held.ContainsKey(id) || time.GetElapsedTime(launchedAt[id]) >= LaunchGrace).ToList())
        {
            launchedAt.Remove(podId);
        }

        var ids = node.Reservations.Keys.Concat(held.Keys).Distinct(StringComparer.Ordinal).ToList();
        var changed = 0;
        var statuses = await Task.WhenAll(ids.Select(StatusOf));
        foreach (var (podId, answered, status) in statuses)
        {
            if (!answered)
            {
                continue;
            }

            try
            {
                if (status is { HasEnded: false } && status.NodeName == Name && !node.Reservations.ContainsKey(podId))
                {
                    changed += await Adopt(podId) ? 1 : 0;
                }

                changed += await Reconcile(podId, status, held.GetValueOrDefault(podId)) ? 1 : 0;
            }
            catch (Exception ex) when (UnansweredCall.Is(ex))
            {
                logger.LogInformation("Node {Node} could not reconcile pod {PodId} this round: {Reason}", Name, podId, ex.Message);
            }
        }

        if (changed > 0)
        {
            Report().Ignore();
        }

        // A unit hears of its pod's end by a one-way call, lost if the unit could not load its state just then; one
        // whose ended pod is still here is reminded (one-way too, reconciling twice is harmless).
        foreach (var unit in statuses.Where(s => s.Status is { HasEnded: true }).Select(s => s.Status!.UnitName).OfType<string>().Distinct(StringComparer.Ordinal))
        {
            _ = GrainFactory.GetGrain<IUnitGrain>(unit).Reconcile();
        }
    }

    // A pod placed here, not ended, that this grain holds no room for: it lost its reservations (a server restart) while
    // the pod's grain stayed active, so the pod did not claim them as it activated. Returns whether it holds it now.
    private async Task<bool> Adopt(string podId)
    {
        if (await GrainFactory.GetGrain<IPodClaimant>(podId).ClaimOn(Name).WaitAsync(PodTimeout) is not { } claim)
        {
            return false;
        }

        Hold(claim.Pod, claim.Resources);
        return true;
    }

    // Returns whether the pod's reservation here was freed (and the node view needs telling).
    private async Task<bool> Reconcile(string podId, PodStatus? status, RuntimePod? runtime)
    {
        var runsHere = runtime is { Phase: PodPhase.Pending or PodPhase.Preparing or PodPhase.Running };
        if (status is null || status.HasEnded || (status.NodeName is { } other && other != Name))
        {
            if (runsHere)
            {
                logger.LogWarning("Pod {PodId} runs on node {Node} but the cluster has it {Where}: stopping it here",
                    podId, Name, status is null ? "gone" : status.HasEnded ? status.Phase.ToString().ToLowerInvariant() : $"on {status.NodeName}");

                // An ended pod's tree keeps its log for its owner; one that is gone or lives elsewhere has no use for it.
                var ours = status is { HasEnded: true, IsLost: false } && status.NodeName == Name;
                await (ours ? Machine.StopPod(podId, TimeSpan.Zero) : Machine.RemovePod(podId, TimeSpan.Zero));
            }

            return Free(podId);
        }

        if (status.NodeName != Name)
        {
            // Still being placed: a reservation made here a moment ago is not the pod's yet.
            return false;
        }

        if (runtime is null)
        {
            if (status.Phase == PodPhase.Preparing && launchedAt.TryGetValue(podId, out var launched) && time.GetElapsedTime(launched) < LaunchGrace)
            {
                return false;
            }

            if (status.Phase is PodPhase.Preparing or PodPhase.Running)
            {
                var reason = $"lost: node {Name} does not run it";
                logger.LogWarning("Pod {PodId} of {Unit} is listed {Phase} on node {Node}, which does not run it: marking it lost",
                    podId, status.UnitName ?? "(run)", status.Phase, Name);
                await GrainFactory.GetGrain<IPodGrain>(podId).MarkLost(reason).WaitAsync(PodTimeout);
                return Free(podId);
            }

            return false;
        }

        // The runtime is ahead of the cluster's record: a report of it was lost, or written and then dropped.
        if (runtime.Phase > status.Phase)
        {
            logger.LogInformation("Pod {PodId} is listed {Listed} but node {Node} has it {Phase}: correcting it", podId, status.Phase, Name, runtime.Phase);
            await GrainFactory.GetGrain<IPodGrain>(podId)
                .ReportState(new PodStateReport(Name, runtime.Phase, runtime.ExitCode, runtime.Reason, runtime.At) { OutOfMemory = runtime.OutOfMemory }).WaitAsync(PodTimeout);
        }

        return false;
    }

    // Hands a reserved pod to its machine and returns once the machine took it, not once it runs: a caller that waited
    // for the machine's answer would wait for a launch.
    private async Task Run(string podId, PodSpec spec)
    {
        if (!node.Reservations.ContainsKey(podId))
        {
            throw new FleetPodsException($"pod {podId} holds no reservation on node {Name}");
        }

        // The node's last word, under its own policy file and its own file system, whoever asked.
        spec = PodAdmissionCheck.OnNode(spec, policy, Name);
        var machine = Driver;
        launchedAt[podId] = time.GetTimestamp();
        var answer = await machine.Take(podId, spec);
        launching[podId] = answer;
        TellAnswer(podId, answer).Ignore();
    }

    // The machine's answer reaches the pod's grain from here: its running (or end) spares the agent a report, a machine
    // that did not take the pod fails it with the reason, and a pod still preparing after the machine's wait is written
    // then (its first write waits for the answer) and reported by its agent later.
    // An agent that did not answer may have died with the pod or be running it: its liveness and its rounds say which
    // (the pod is lost with a node declared down, or with a round that does not list it once the launch's grace is over).
    private async Task TellAnswer(string podId, Task<RuntimePod> answer)
    {
        PodStateReport report;
        try
        {
            var pod = await answer;
            if (pod.Phase == PodPhase.Pending)
            {
                return;
            }

            report = new PodStateReport(Name, pod.Phase, pod.ExitCode, pod.Reason, pod.At) { OutOfMemory = pod.OutOfMemory };
        }
        catch (NodeUnavailableException ex)
        {
            logger.LogInformation("Node {Node}'s agent did not answer the launch of pod {PodId}; its rounds or its liveness settle it: {Reason}", Name, podId, ex.Message);
            return;
        }
        catch (Exception ex) when (UnansweredCall.Is(ex))
        {
            report = new PodStateReport(Name, PodPhase.Failed, null, ex.Message, time.GetUtcNow());
        }
        finally
        {
            if (launching.TryGetValue(podId, out var current) && current == answer)
            {
                launching.Remove(podId);
            }
        }

        _ = GrainFactory.GetGrain<IPodLaunchAnswer>(podId).Answered(report);
    }

    // A pod whose launch its machine has not answered is stopped or removed once it has (within the machine's bound):
    // sent at once, the stop could reach the machine before the launch, which would then start a pod the cluster ended.
    private Task Launched(string podId) => launching.TryGetValue(podId, out var answer) ? Task.WhenAny(answer) : Task.CompletedTask;

    // The period to tell the agent, never more than the stored LongestBeatPeriod: past it, that is raised first. With
    // twice the headroom it is written again only once this server's agents doubled; a write that fails (the database
    // down) tells the stored period instead, so beats keep a node up whatever the database does.
    private async Task<TimeSpan> Pace()
    {
        var period = pacing.Period(liveAgents.Count, Random.Shared.NextDouble());
        if (period > node.LongestBeatPeriod)
        {
            RaiseLongestBeatPeriod();
            try
            {
                await commit.Save();
            }
            catch (FleetPodsException ex)
            {
                period = node.LongestBeatPeriod > pacing.MinPeriod ? node.LongestBeatPeriod : pacing.MinPeriod;
                logger.LogWarning("Node {Node} tells its agent to beat every {Period}: the longer period its server's agents call for could not be stored ({Reason})",
                    Name, period, ex.Message);
            }
        }

        return Expect(period);
    }

    private void RaiseLongestBeatPeriod()
    {
        var headroom = pacing.Longest(liveAgents.Count) * 2;
        if (headroom > node.LongestBeatPeriod)
        {
            node.LongestBeatPeriod = headroom;
        }
    }

    // The agent was told to beat within `told`: the node is down if nothing came by then and the grace. Returns `told`.
    private TimeSpan Expect(TimeSpan told)
    {
        deadline = time.GetUtcNow() + pacing.Deadline(told);
        if (armedFor is not { } armed || deadline < armed)
        {
            ArmAt(deadline);
        }

        return told;
    }

    private void ArmAt(DateTimeOffset at)
    {
        armedFor = at;
        deadlineTimer?.Change(at - time.GetUtcNow() is var due && due > TimeSpan.Zero ? due : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }

    private void Uncount()
    {
        if (counted)
        {
            liveAgents.Remove();
            counted = false;
        }
    }

    // The timer fires at the deadline it was armed for; a beat since then moved the deadline on, and it sleeps until it.
    private Task OnDeadline()
    {
        armedFor = null;
        if (time.GetUtcNow() < deadline)
        {
            ArmAt(deadline);
            return Task.CompletedTask;
        }

        return DeclareDown();
    }

    // Without a beat by its deadline an agent's node is down: it moves from the live nodes to the bounded list of
    // down ones, and its pods are lost, so their units (and only theirs) hear of it and place them elsewhere. A pod
    // grain that does not answer now is lost at the next look, a minimum period later.
    private async Task DeclareDown()
    {
        if (!declaredDown && node.Announcement is not null)
        {
            logger.LogWarning("Node {Node} is down: no heartbeat from its agent by its deadline; its {Pods} pods are lost", Name, node.Reservations.Count);
            await GrainFactory.GetGrain<IDownNodesGrain>(IDownNodesGrain.Key).Add(Name);
            await new KeyRegistry(GrainFactory, RegistryKind.Nodes).Remove(Name);
        }

        driver = null;
        agentSession = null;
        declaredDown = true;
        Uncount();
        await Report();
        if (node.Reservations.Count == 0)
        {
            return;
        }

        var reason = StoppedAnswering;
        var lost = await Task.WhenAll(node.Reservations.Keys.ToArray().Select(async podId =>
        {
            try
            {
                await GrainFactory.GetGrain<IPodGrain>(podId).MarkLost(reason).WaitAsync(PodTimeout);
                return podId;
            }
            catch (Exception ex) when (UnansweredCall.Is(ex))
            {
                logger.LogInformation("Node {Node} could not mark pod {PodId} lost this round: {Reason}", Name, podId, ex.Message);
                return null;
            }
        }));
        foreach (var podId in lost.OfType<string>())
        {
            Free(podId);
        }

        if (node.Reservations.Count > 0)
        {
            deadline = time.GetUtcNow() + pacing.MinPeriod;
            ArmAt(deadline);
        }
    }

    // What placement weighs, for the node view, sent with the other nodes' of this silo; a reservation's report is not
    // waited for (see NodeReport.Sequence), an announcement's, a release's and a down node's are (placement must see
    // them first).
    private Task Report() => (reports ??= ServiceProvider.GetRequiredService<NodeReportSender>()).Send(new NodeReport(Name, driver is null ? null : Describe(), ++reportSequence));

    private void Hold(PlacedPod pod, ResourceRequest resources)
    {
        node.Reservations[pod.PodId] = resources;
        node.Pods[pod.PodId] = pod;
    }

    private bool Free(string podId)
    {
        launchedAt.Remove(podId);
        return node.Reservations.Remove(podId) | node.Pods.Remove(podId);
    }

    private async Task<(string PodId, bool Answered, PodStatus? Status)> StatusOf(string podId)
    {
        try
        {
            return (podId, true, await GrainFactory.GetGrain<IPodGrain>(podId).GetStatus().WaitAsync(PodTimeout));
        }
        catch (Exception ex) when (UnansweredCall.Is(ex))
        {
            logger.LogInformation("Node {Node} could not read pod {PodId} this round: {Reason}", Name, podId, ex.Message);
            return (podId, false, null);
        }
    }

    private NodeInfo? Describe() => StoredNode.Describe(Name, node);

    // A copy, as the storage provider may serialize it off this grain's turn while the next calls change the node.
    private Task Write()
    {
        state.State = node.WithoutReservations();
        return state.Save(this);
    }

    // What storage holds, with the reservations this activation holds (storage holds none, or a former version's).
    private void Reloaded()
    {
        var held = node;
        node = state.State.Copy();
        if (held is not null)
        {
            (node.Reservations, node.Pods) = (held.Reservations, held.Pods);
        }
    }

    // In constant time: how much of a session a guess matched must not show in how long the answer took.
    private static bool IsCurrent(string current, string? presented) =>
        presented?.Length == current.Length && CryptographicOperations.FixedTimeEquals(MemoryMarshal.AsBytes(current.AsSpan()), MemoryMarshal.AsBytes(presented.AsSpan()));
}
