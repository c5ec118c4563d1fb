using FleetPods.Grains.Cluster;
using FleetPods.Grains.Nodes;
using FleetPods.Grains.Scheduling;
using FleetPods.Grains.Security;
using FleetPods.Grains.Storage;
using FleetPods.Grains.UnitFiles;
using FleetPods.Grains.Units;
using FleetPods.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace FleetPods.Grains.Pods;

// A unit's pods live on its silo, so they are placed by that silo's scheduler, whose copy of the node view counts the
// reservations of the unit's other pods being placed at the same moment (replicas spread even in a burst).
[Orleans.Placement.PreferLocalPlacement]
public sealed partial class PodGrain(
    [FromKeyedServices(GrainStorage.Name)] IGrainStorage storage,
    IGrainContext context,
    PodPolicy policy,
    TimeProvider time,
    ILogger<PodGrain> logger) : Grain, IPodGrain, IListedPodCreation, IPodClaimant, IPodLaunchAnswer
{
    private readonly ActivationState<PodState> state = new(storage, PodState.StateName, context);

    // A pod's `preparing` is not written when it is known but when its machine answers the launch: running (or ended),
    // so a launch costs one write, not two, or still preparing once the machine's wait is over (LaunchAnswers), a slow
    // launch's first write. Not a timer a pod: an activation kept a timer's bookkeeping for good, and the collector
    // copied it with every pod. `running` and an end are written at once: a node that restarts and does not
    // run a pod it was given marks it lost only if the pod is stored as having started there. A `preparing` lost with a
    // server is told again by the node when it reconciles its pods (at its start, every NodeAgent.ReconcilePeriod, and
    // at an agent's attach).
    private bool preparingUnsaved;

    // Read once: each read of the key makes a new string, and the pod's status, its node's reservation and its unit
    // would each keep the copy they were given: three a pod, for good.
    private string? key;

    private string Id => key ??= this.GetPrimaryKeyString();

    private PodState Pod => state.State;

    // A node's reservations are not stored: a placed pod that activates (after a server restart, or idle) claims its
    // room on its node again, and its node, if it died meanwhile, marks it lost.
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await state.ReadStateAsync();
        ClaimRoom();
        await base.OnActivateAsync(cancellationToken);
    }

    Task<PodClaim?> IPodClaimant.ClaimOn(string node) => Task.FromResult(Pod.NodeName == node ? Claim() : null);

    Task IPodClaimant.Reclaim()
    {
        ClaimRoom();
        return Task.CompletedTask;
    }

    private void ClaimRoom()
    {
        if (Claim() is { } claim)
        {
            GrainFactory.GetGrain<INodeClaims>(Pod.NodeName!).Claim(claim).Ignore();
        }
    }

    private PodClaim? Claim() =>
        Pod is { Exists: true, HasEnded: false, NodeName: not null, Spec: { } spec }
            ? new PodClaim(new PlacedPod(Id, spec.UnitName, Pod.Conflicts), spec.Resources)
            : null;

    Task<PodStatus> IPodGrain.Create(PodSpec spec, UnitFile? unit, bool start, string? requiredNode) =>
        Create(spec, unit, start, requiredNode, listed: false, tellUnitOnlyOfEnd: false);

    Task<PodStatus> IListedPodCreation.CreateListed(PodSpec spec, UnitFile unit, bool start, string? requiredNode, bool tellUnitOnlyOfEnd) =>
        Create(spec, unit, start, requiredNode, listed: true, tellUnitOnlyOfEnd);

    private async Task<PodStatus> Create(PodSpec spec, UnitFile? unit, bool start, string? requiredNode, bool listed, bool tellUnitOnlyOfEnd)
    {
        ArgumentNullException.ThrowIfNull(spec);
        PodAdmissionCheck.Require(Role.Operator, "run a pod");
        if (Pod.Exists)
        {
            return Describe();
        }

        // A unit's pod carries the admission its unit grain recorded at submit; a one-off pod (run) is admitted here,
        // for its caller, whatever admission the request claims.
        if (unit is null)
        {
            spec = spec with { Admission = PodAdmissionCheck.Admit(spec.Pod, policy) };
        }

        // Whoever built the spec (a unit file, run's flags, a .NET caller), the cluster keeps only a pod that may run.
        PodValidator.Require(spec);

        Pod.Exists = true;
        Pod.Spec = spec;
        Pod.Unit = unit;
        Pod.Phase = PodPhase.Pending;
        Pod.CreatedAt = time.GetUtcNow();
        Pod.StartRequested = start;
        Pod.RequiredNode = requiredNode;
        Pod.TellsUnitOnlyOfEnd = tellUnitOnlyOfEnd;
        LogState();

        // One its unit did not list is listed while it is placed, and saved and run only once listed, so no stored pod
        // is missing from the listing.
        await PlaceAndRun(listed ? null : new KeyRegistry(GrainFactory, RegistryKind.Pods).Add(Id));
        return Describe();
    }

    async Task<PodStatus> IPodGrain.Start()
    {
        PodAdmissionCheck.Require(Role.Operator, $"start pod {Id}");
        EnsureExists();
        if (Pod.Phase == PodPhase.Pending && !Pod.StartRequested)
        {
            Pod.StartRequested = true;
            await Save();
            await PlaceAndRun();
        }
        else if (Pod.Phase == PodPhase.Pending && Pod.NodeName is null)
        {
            await PlaceAndRun();
        }

        return Describe();
    }

    async Task<PodStatus> IPodGrain.RetryPlacement()
    {
        EnsureExists();
        if (Pod.Phase == PodPhase.Pending && Pod.NodeName is null)
        {
            await PlaceAndRun();
        }

        return Describe();
    }

    async Task IPodGrain.MarkLost(string reason)
    {
        if (!Pod.Exists || Pod.HasEnded)
        {
            return;
        }

        Pod.Phase = PodPhase.Failed;
        Pod.Reason = reason;
        Pod.Lost = true;
        Pod.FinishedAt = time.GetUtcNow();
        await Save();
        LogState();
        NotifyUnit();
    }

    Task<PodStatus?> IPodGrain.GetStatus() => Task.FromResult(Pod.Exists ? Describe() : null);

    async Task<PodStatus> IPodGrain.Stop(TimeSpan grace)
    {
        PodAdmissionCheck.Require(Role.Operator, $"stop pod {Id}");
        EnsureExists();
        if (Pod.HasEnded)
        {
            return Describe();
        }

        // Only a pod never sent to its node can end here; one that was, is stopped there, even mid-launch.
        if (Pod.NodeName is null || (Pod.Phase == PodPhase.Pending && !Pod.StartRequested))
        {
            Pod.NeverRan = true;
            await Apply(new PodStateReport(Pod.NodeName ?? "", PodPhase.Failed, null, "stopped before it ran", time.GetUtcNow()));
            return Describe();
        }

        var final = await GrainFactory.GetGrain<INodeGrain>(Pod.NodeName).StopPod(Id, grace);
        await Apply(final);
        return Describe();
    }

    async Task IPodGrain.Destroy(TimeSpan grace)
    {
        PodAdmissionCheck.Require(Role.Operator, $"remove pod {Id}");
        if (!Pod.Exists)
        {
            return;
        }

        if (Pod.NodeName is { } node)
        {
            try
            {
                await GrainFactory.GetGrain<INodeGrain>(node).RemovePod(Id, grace);
            }
            catch (Exception ex) when (UnansweredCall.Is(ex))
            {
                // A node that left the cluster cannot be asked; its pod is forgotten here all the same.
                logger.LogWarning("Pod {PodId} forgotten without cleaning node {Node}: {Reason}", Id, node, ex.Message);
            }
        }

        await new KeyRegistry(GrainFactory, RegistryKind.Pods).Remove(Id);
        logger.LogInformation("Pod {PodId} of {Unit} destroyed", Id, Pod.Spec?.UnitName ?? "(run)");
        preparingUnsaved = false;
        var unit = Pod.Spec?.UnitName;
        await state.Erase(this);

        // Its unit may not be the one removing it (rm of an ended pod), and must not count it from what it heard; told
        // once it is gone, so a unit that asks it hears that it is.
        if (unit is not null)
        {
            _ = GrainFactory.GetGrain<IUnitPodChanges>(unit).PodChanged(Id, null);
        }

        DeactivateOnIdle();
    }

    async Task<PodLog> IPodGrain.ReadLog(long offset, int maxBytes)
    {
        EnsureExists();
        if (Pod.NodeName is null || (Pod.Phase == PodPhase.Pending && !Pod.HasEnded))
        {
            return new PodLog(offset, [], offset, Pod.HasEnded);
        }

        var log = await GrainFactory.GetGrain<INodeGrain>(Pod.NodeName).ReadPodLog(Id, offset, maxBytes);
        return log with { Complete = log.Complete && Pod.HasEnded };
    }

    async Task<string?> IPodGrain.ReadManifest()
    {
        EnsureExists();
        return Pod.NodeName is null || Pod.Phase == PodPhase.Pending
            ? null
            : await GrainFactory.GetGrain<INodeGrain>(Pod.NodeName).ReadPodManifest(Id);
    }

    Task<string> IPodGrain.Enter(PodEnterRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var node = EnteredNode("enter");
        if (Pod.Phase != PodPhase.Running)
        {
            throw new FleetPodsException($"pod {Id} is not running (it is {Pod.Phase.ToString().ToLowerInvariant()})");
        }

        return GrainFactory.GetGrain<INodeGrain>(node).StartPodSession(Id, request);
    }

    Task<PodSessionOutput> IPodGrain.ReadSessionOutput(string session, long offset, int maxBytes) =>
        GrainFactory.GetGrain<INodeGrain>(EnteredNode("read a session of")).ReadPodSessionOutput(Id, session, offset, maxBytes);

    Task IPodGrain.EndSession(string session) =>
        GrainFactory.GetGrain<INodeGrain>(EnteredNode("end a session of")).EndPodSession(Id, session);

    Task IPodGrain.WriteInput(string? session, byte[] data, bool endOfInput)
    {
        ArgumentNullException.ThrowIfNull(data);
        var node = ConsoleNode(session, c => c.Input, "takes no input (run it with --interactive)", "write to");
        return GrainFactory.GetGrain<INodeGrain>(node).WritePodInput(Id, session, data, endOfInput);
    }

    Task IPodGrain.ResizeTerminal(string? session, TerminalSize size)
    {
        ArgumentNullException.ThrowIfNull(size);
        var node = ConsoleNode(session, c => c.Terminal is not null, "has no terminal (run it with --tty)", "resize the terminal of");
        return GrainFactory.GetGrain<INodeGrain>(node).ResizePodTerminal(Id, session, size);
    }

    Task IPodGrain.ReportState(PodStateReport report) => Apply(report);

    // A launch its machine still prepares after its wait is written now (its first write waited for the answer); the
    // answer never takes a pod back to preparing, as a report of its running may have overtaken it.
    Task IPodLaunchAnswer.Answered(PodStateReport report) =>
        report.Phase != PodPhase.Preparing ? Apply(report)
        : preparingUnsaved ? Save()
        : Task.CompletedTask;

    // The node of a pod a caller may enter: an operator a baseline pod, only an admin a privileged one.
    private string EnteredNode(string action)
    {
        PodAdmissionCheck.Require(Role.Operator, $"{action} pod {Id}");
        EnsureExists();
        if (PodAdmissionCheck.IsPrivileged(Pod.Spec!, policy))
        {
            PodAdmissionCheck.Require(Role.Admin, $"{action} privileged pod {Id}");
        }

        return Pod.NodeName ?? throw new FleetPodsException($"pod {Id} is {Pod.Phase.ToString().ToLowerInvariant()}: it runs on no node");
    }

    // Typing into a pod is entering it: the same roles may. An enter session's console is its node's to know.
    private string ConsoleNode(string? session, Func<PodConsole, bool> has, string lacking, string action)
    {
        var node = EnteredNode(action);
        if (session is null && (Pod.Spec!.Console is not { } console || !has(console)))
        {
            throw new FleetPodsException($"pod {Id} {lacking}");
        }

        if (Pod.HasEnded)
        {
            throw new FleetPodsException($"pod {Id} is {Pod.Phase.ToString().ToLowerInvariant()}: nothing reads its input");
        }

        return node;
    }

    // A new pod's listing (Create's) is awaited before the pod is first saved, and before it runs.
    private async Task PlaceAndRun(Task? listing = null)
    {
        var spec = Pod.Spec!;
        if (Pod.NodeName is null)
        {
            var fleet = Pod.Unit is { } rules ? UnitFileExpansions.Fleet(rules) : PlacementRequest.NoRules;
            var request = new PlacementRequest(Id, spec.UnitName, spec.Resources, fleet, Pod.RequiredNode) { Stage1 = spec.Pod.Stage1 };

            // A pod that may run is handed to its node with the reservation: one call places and starts it.
            var launch = Pod.StartRequested && listing is null;
            var answer = ReservationAnswer.Refused;
            var placedSpec = spec;
            var placing = ServiceProvider.GetRequiredService<Scheduler>().Place(request, async node =>
            {
                var onNode = OnNode(spec, node);
                answer = await GrainFactory.GetGrain<INodeGrain>(node).Reserve(request, launch && PodValidator.Validate(onNode).Count == 0 ? onNode : null);
                placedSpec = onNode;
                return answer.Reserved;
            });
            if (listing is not null)
            {
                await Listed(listing, placing);
            }

            var placement = await placing;
            if (!placement.Placed)
            {
                Pod.Reason = placement.Reason;
                await Save();
                logger.LogInformation("Pod {PodId} of {Unit} stays pending: {Reason}", Id, spec.UnitName ?? "(run)", placement.Reason);
                return;
            }

            Pod.NodeName = placement.NodeName;
            Pod.Reason = null;
            Pod.Spec = spec = placedSpec;
            Pod.Conflicts = request.Fleet.Conflicts;

            // Placed for good, so the unit file has served (its rules and specifiers are in the spec now): not kept,
            // which halves what each write of the pod stores and what each of thousands of pods holds.
            Pod.Unit = null;
            LogPlaced(logger, Id, spec.UnitName ?? "(run)", Pod.NodeName);
            if (answer.Launched || answer.LaunchFailure is not null)
            {
                // Its first write waits for its next phase (Apply), so a pod that starts is written once, not twice: one
                // lost with its server before then is not stored, so its unit makes another, and its node stops it.
                await Apply(new PodStateReport(Pod.NodeName!, answer.Launched ? PodPhase.Preparing : PodPhase.Failed, null, answer.LaunchFailure, time.GetUtcNow()));
                return;
            }

            await Save();

            // A value may become invalid only once its specifiers are expanded (%m is the node's name).
            if (PodValidator.Validate(spec) is { Count: > 0 } problems)
            {
                await Apply(new PodStateReport(Pod.NodeName!, PodPhase.Failed, null, new PodSpecException(problems).Message, time.GetUtcNow()));
                return;
            }
        }

        if (!Pod.StartRequested)
        {
            return;
        }

        try
        {
            await GrainFactory.GetGrain<INodeGrain>(Pod.NodeName!).RunPod(Id, spec);
        }
        catch (Exception ex) when (UnansweredCall.Is(ex))
        {
            await Apply(new PodStateReport(Pod.NodeName!, PodPhase.Failed, null, ex.Message, time.GetUtcNow()));
            return;
        }

        // The node took the pod, so it prepares it: said here, its agent need not report it (one call less a pod).
        await Apply(new PodStateReport(Pod.NodeName!, PodPhase.Preparing, null, null, time.GetUtcNow()));
    }

    // The pod as it runs on `node`: a unit's pod with its specifiers expanded (%m is the node's name).
    private PodSpec OnNode(PodSpec spec, string node) =>
        Pod.Unit is { } unit
            ? PodSpec.FromUnit(UnitFileExpansions.OnNode(unit, node)) with { Admission = spec.Admission }
            : spec;

    // A pod its registry shard did not take is not made: no state is kept, and a node that took it gives its room back.
    private async Task Listed(Task listing, Task<PlacementResult> placing)
    {
        try
        {
            await listing;
        }
        catch (Exception)
        {
            Pod.Exists = false;
            _ = GiveBack(placing);
            throw;
        }

        async Task GiveBack(Task<PlacementResult> placed)
        {
            try
            {
                if (await placed is { Placed: true, NodeName: { } node })
                {
                    await GrainFactory.GetGrain<INodeGrain>(node).Release(Id);
                }
            }
            catch (Exception ex) when (UnansweredCall.Is(ex))
            {
                // The node frees a reservation of a pod that does not exist when it reconciles its pods.
                logger.LogInformation("Pod {PodId}, not listed, did not give back its reservation: {Reason}", Id, ex.Message);
            }
        }
    }

    private async Task Apply(PodStateReport report)
    {
        // A pod's end is final: a late or duplicate report (e.g. replayed after a daemon restart) cannot revive it.
        if (!Pod.Exists || Pod.HasEnded || (Pod.NodeName is not null && report.NodeName.Length > 0 && report.NodeName != Pod.NodeName))
        {
            return;
        }

        if (report.Phase == Pod.Phase && report.Reason == Pod.Reason)
        {
            return;
        }

        Pod.Phase = report.Phase;
        Pod.ExitCode = report.ExitCode;
        Pod.Reason = report.Reason;
        Pod.OutOfMemory = report.OutOfMemory;
        if (report.Phase == PodPhase.Running)
        {
            Pod.StartedAt ??= report.At;
        }

        if (Pod.HasEnded)
        {
            Pod.FinishedAt = report.At;
        }

        if (Pod.Phase == PodPhase.Preparing)
        {
            preparingUnsaved = true;
        }
        else
        {
            await Save();
        }

        LogState();
        if (Pod.HasEnded)
        {
            await ReleaseNode();
        }

        if (Pod.HasEnded || (Pod.Phase is PodPhase.Running && !Pod.TellsUnitOnlyOfEnd))
        {
            NotifyUnit();
        }
    }

    private async Task ReleaseNode()
    {
        if (Pod.NodeName is not { } node)
        {
            return;
        }

        try
        {
            await GrainFactory.GetGrain<INodeGrain>(node).Release(Id);
        }
        catch (Exception ex) when (UnansweredCall.Is(ex))
        {
            // Its node left; the node frees what it still holds for ended pods when it reconciles its pods.
            logger.LogInformation("Pod {PodId} ended without releasing node {Node}: {Reason}", Id, node, ex.Message);
        }
    }

    // One-way: the unit grain may be waiting on this pod right now, so this must not wait on it.
    private void NotifyUnit()
    {
        if (Pod.Spec?.UnitName is { } unit)
        {
            _ = GrainFactory.GetGrain<IUnitPodChanges>(unit).PodChanged(Id, Describe());
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (preparingUnsaved && Pod.Exists)
        {
            await Save();
        }

        await base.OnDeactivateAsync(reason, cancellationToken);
    }

    private async Task Save()
    {
        preparingUnsaved = false;
        var unit = Pod.Spec?.UnitName;
        try
        {
            await state.Save(this);
        }
        catch (FleetPodsException) when (!Pod.Exists && unit is not null)
        {
            // Its first write failed, so storage holds nothing of it (StateWriteRule reloaded): it is gone, as if lost
            // with its server. Its unit hears so and makes another; a node that runs it stops it when it reconciles.
            _ = GrainFactory.GetGrain<IUnitPodChanges>(unit).PodChanged(Id, null);
            throw;
        }
    }

    private void LogState() => LogPhase(logger, Id, Pod.Spec?.UnitName ?? "(run)", Pod.NodeName ?? "-", Pod.Phase, Pod.ExitCode, Pod.Reason);

    // Every pod logs these three or four times as it is placed and starts: generated, so a level that is off boxes and
    // allocates nothing (LogState was 0.8% of the samples of a benchmark server, which logs only warnings).
    [LoggerMessage(Level = LogLevel.Information, Message = "Pod {PodId} of {Unit} on {Node} is {Phase} (exit code {ExitCode}, reason {Reason})")]
    private static partial void LogPhase(ILogger logger, string podId, string unit, string node, PodPhase phase, int? exitCode, string? reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pod {PodId} of {Unit} placed on {Node}")]
    private static partial void LogPlaced(ILogger logger, string podId, string unit, string? node);

    private void EnsureExists()
    {
        if (!Pod.Exists)
        {
            throw new FleetPodsException($"pod {Id} not found");
        }
    }

    private PodStatus Describe() => new(
        Id, Pod.Spec?.UnitName, Pod.Spec?.Pod.Image ?? "", Pod.Phase, Pod.NodeName, Pod.ExitCode, Pod.Reason,
        Pod.CreatedAt, Pod.StartedAt, Pod.FinishedAt)
    {
        IsLost = Pod.Lost,
        EndCause = !Pod.HasEnded ? PodEndCause.None
            : Pod.Lost ? PodEndCause.Lost
            : Pod.NeverRan ? PodEndCause.NeverRan
            : Pod.OutOfMemory ? PodEndCause.OutOfMemory
            : Pod.Phase == PodPhase.Exited ? PodEndCause.Exited
            : PodEndCause.Failed,
    };
}
