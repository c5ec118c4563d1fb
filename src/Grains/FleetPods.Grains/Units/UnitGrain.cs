using FleetPods.Grains.Cluster;
using FleetPods.Grains.ImageRegistries;
using FleetPods.Grains.Pods;
using FleetPods.Grains.Scheduling;
using FleetPods.Grains.Security;
using FleetPods.Grains.Storage;
using FleetPods.Grains.UnitFiles;
using FleetPods.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FleetPods.Grains.Units;

/// <summary>
/// A submitted unit and the reconciler of its pods: every command and every change around it (a pod's phase, told by
/// the pod with <see cref="IUnitPodChanges.PodChanged"/>; a silo leaving or joining, <see cref="IUnitGrain.Reconcile"/>; a
/// node up or announced anew, for a global unit, <see cref="IUnitNodeChanges.NodesChanged"/>)
/// ends in a reconcile, which compares what the unit asks with what its pods do and takes one step toward it. Steps
/// are idempotent, so being asked twice is harmless.
/// </summary>
public sealed class UnitGrain(
    [PersistentState("unit", GrainStorage.Name)] IPersistentState<UnitState> state,
    IClusterMembershipService membership,
    PodPolicy policy,
    TimeProvider time,
    ILogger<UnitGrain> logger) : Grain, IUnitGrain, IQueuedReconcile, IUnitPodChanges, IUnitNodeChanges
{
    private static readonly TimeSpan RetryPeriod = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan MaxRestartDelay = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StableRun = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ReplaceGrace = TimeSpan.FromSeconds(10);

    // How many of its new pods a unit makes and places at once: each batch waits on a listing (a registry write) and on
    // its pods' first reads, so a unit's pods come at its batch size per database round trip.
    private const int CreateConcurrency = 16;

    // A pod grain on a silo that is cut off answers nothing until Orleans' 30 s response timeout, even after
    // the silo is declared dead; reconcile gives up sooner and tries again, by when it lives elsewhere.
    private static readonly TimeSpan StatusTimeout = TimeSpan.FromSeconds(3);

    private IGrainTimer? retry;
    private DateTimeOffset retryAt;
    private bool reconcileQueued;

    // Whether the queued reconcile must ask every pod (as a command's does) rather than take what its pods told it.
    private bool askPodsQueued;

    private readonly KnownPodStatuses known = new();

    // Counts changes to the unit's pod list, so a reconcile reads its pods' statuses again only after a step changed it.
    private int podListChanges;

    // Read once: each read of the key makes a new string.
    private string? key;

    private string Name => key ??= this.GetPrimaryKeyString();

    private UnitState Unit => state.State;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (Unit.PodId is { } legacy)
        {
            Unit.Pods.Add(new UnitPod(legacy, Unit.Revision, null));
            Unit.PodId = null;
            await state.Save(this);
        }

        await base.OnActivateAsync(cancellationToken);
    }

    async Task<SubmitResult> IUnitGrain.Submit(string fileName, string text)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        ArgumentNullException.ThrowIfNull(text);
        PodAdmissionCheck.Require(Role.Operator, $"submit {Name}");
        if (Path.GetFileName(fileName) != Name)
        {
            return Refuse(fileName, $"file name '{Path.GetFileName(fileName)}' does not match unit '{Name}'");
        }

        if (!UnitName.TryParse(Name, out var name, out var nameError))
        {
            return Refuse(fileName, nameError!);
        }

        var parsed = UnitFileParser.Parse(fileName, text);
        if (!parsed.Succeeded)
        {
            return new SubmitResult(Name, parsed.Errors);
        }

        if (await ImageExecCheck.Check(GrainFactory, fileName, parsed.Unit!) is { } execError)
        {
            return new SubmitResult(Name, [execError]);
        }

        // The same file again changes nothing, so it needs no admission: an operator may resubmit an admin's unit as is.
        if (Unit.Exists && Unit.Text == text)
        {
            return new SubmitResult(Name, []);
        }

        var unit = parsed.Unit!;
        var admission = PodAdmissionCheck.Admit(unit.Pod, policy, use => UnitKeyLines.Locate(fileName, text, unit.Pod, use));
        var (pins, pinError) = await RegistryImagePins.Resolve(GrainFactory, fileName, unit);
        if (pinError is not null)
        {
            return new SubmitResult(Name, [pinError]);
        }

        var changed = Unit.Exists;
        await new KeyRegistry(GrainFactory, RegistryKind.Units).Add(Name);
        Store(fileName, text, unit, name!.IsTemplate, admission);
        Unit.PinnedImages = pins;
        if (changed)
        {
            Unit.Revision++;
        }

        await state.Save(this);
        logger.LogInformation("Unit {Unit} submitted (revision {Revision})", Name, Unit.Revision);

        // A changed unit that is loaded or launched is rolled out to its pods one at a time.
        if (changed && Unit.DesiredState != UnitDesiredState.Inactive)
        {
            await ReconcileOrRetry(askAll: true, tellCaller: true);
        }

        return new SubmitResult(Name, []);
    }

    async Task<UnitStatus?> IUnitGrain.GetStatus() => Unit.Exists ? await Describe(askAll: true) : null;

    Task<string?> IUnitGrain.GetText() => Task.FromResult(Unit.Exists ? Unit.Text : null);

    Task<PodAdmission?> IUnitGrain.GetAdmission() => Task.FromResult(Unit.Exists ? Unit.Admission ?? PodAdmission.BeforePolicy : null);

    // Load, start, stop, unload and destroy change when a unit runs, not what it runs: an operator may do them to a
    // privileged unit an admin submitted, whose content the admin admitted (its pods carry that admission).
    async Task<UnitStatus> IUnitGrain.Load()
    {
        PodAdmissionCheck.Require(Role.Operator, $"load {Name}");
        await EnsureRunnable();
        if (Unit.DesiredState == UnitDesiredState.Inactive)
        {
            await SetDesired(UnitDesiredState.Loaded);
        }

        await ReconcileOrRetry(askAll: true, tellCaller: true);
        return await Describe(askAll: false);
    }

    async Task<UnitStatus> IUnitGrain.Start()
    {
        PodAdmissionCheck.Require(Role.Operator, $"start {Name}");
        await EnsureRunnable();
        await SetDesired(UnitDesiredState.Launched);
        Unit.Restarts = 0;
        Unit.NextRestartAt = null;

        // A start replaces pods that ended (as a restart does) and runs pods that were only loaded.
        foreach (var (entry, pod) in await PodsWithStatus(askAll: true))
        {
            if (pod is null || pod.HasEnded)
            {
                await RemovePod(entry, ReplaceGrace);
            }
            else if (pod.Phase == PodPhase.Pending)
            {
                known.Take(entry.PodId, await GrainFactory.GetGrain<IPodGrain>(entry.PodId).Start());
            }
        }

        await ReconcileOrRetry(askAll: true, tellCaller: true);
        return await Describe(askAll: false);
    }

    async Task<UnitStatus> IUnitGrain.Stop(TimeSpan grace)
    {
        PodAdmissionCheck.Require(Role.Operator, $"stop {Name}");
        EnsureExists();
        if (Unit.DesiredState == UnitDesiredState.Launched)
        {
            await SetDesired(UnitDesiredState.Loaded);
        }

        await Task.WhenAll(Unit.Pods.Select(p => GrainFactory.GetGrain<IPodGrain>(p.PodId).Stop(grace)));
        return await Describe(askAll: true);
    }

    async Task<UnitStatus> IUnitGrain.Unload(TimeSpan grace)
    {
        PodAdmissionCheck.Require(Role.Operator, $"unload {Name}");
        EnsureExists();
        await SetDesired(UnitDesiredState.Inactive);
        await RemoveAllPods(grace);
        return await Describe(askAll: true);
    }

    async Task IUnitGrain.Destroy(TimeSpan grace)
    {
        PodAdmissionCheck.Require(Role.Operator, $"destroy {Name}");
        EnsureExists();
        await RemoveAllPods(grace);
        await new KeyRegistry(GrainFactory, RegistryKind.Units).Remove(Name);
        await state.Erase(this);
        logger.LogInformation("Unit {Unit} destroyed", Name);
        DeactivateOnIdle();
    }

    // Interleaved with the grain's other calls, so it only queues a reconcile, and one at most: the queued one asks
    // every pod when it runs, which covers every report made before then.
    Task IUnitGrain.Reconcile()
    {
        askPodsQueued = true;
        return QueueReconcile();
    }

    // A report taken here may overtake the answer of a call to the same pod still on its way (KnownPodStatuses). A pod
    // that runs changes nothing a reconcile decides, unless a rolling update waits for its replacements to run: only
    // then, or for a pod that ended or is gone, is one queued (at 100,000 pods a reconcile per burst of running reports
    // walked every pod of the unit for nothing).
    Task IUnitPodChanges.PodChanged(string podId, PodStatus? status)
    {
        if (!Unit.Pods.Exists(p => p.PodId == podId))
        {
            return QueueReconcile();
        }

        known.Take(podId, status);
        return status is { Phase: PodPhase.Running } && !Unit.Pods.Exists(p => p.Revision < Unit.Revision)
            ? Task.CompletedTask
            : QueueReconcile();
    }

    Task IUnitNodeChanges.NodesChanged() =>
        Unit is { Exists: true, IsTemplate: false, Unit.Fleet.Global: true } ? QueueReconcile() : Task.CompletedTask;

    Task IQueuedReconcile.Run()
    {
        reconcileQueued = false;
        var askAll = askPodsQueued;
        askPodsQueued = false;
        return ReconcileOrRetry(askAll);
    }

    private Task QueueReconcile()
    {
        if (!reconcileQueued)
        {
            reconcileQueued = true;
            this.AsReference<IQueuedReconcile>().Run().Ignore();
        }

        return Task.CompletedTask;
    }

    // A step that failed (a grain of a silo that just died, not yet reactivated elsewhere) is tried again shortly
    // instead of lost. Nobody waits on a one-way reconcile or a timer; a command's caller (`tellCaller`) hears of the
    // failure too, while its unit, whose desired state the command stored, still retries rather than stay short of pods.
    private async Task ReconcileOrRetry(bool askAll, bool tellCaller = false)
    {
        try
        {
            await ReconcileNow(askAll);
        }
        catch (Exception ex) when (UnansweredCall.Is(ex))
        {
            logger.LogInformation("Reconciling unit {Unit} failed, trying again in {Delay}: {Reason}", Name, RetryPeriod, ex.Message);
            ScheduleRetry(RetryPeriod);
            if (tellCaller)
            {
                throw;
            }
        }
    }

    // A command, a timer and a node's reminder ask every pod (askAll); a pod's report takes what the pods told.
    // Either way, the steps below see the answers of the calls they made to pods (KnownPodStatuses).
    private async Task ReconcileNow(bool askAll)
    {
        if (!Unit.Exists || Unit.IsTemplate || Unit.Unit is null)
        {
            return;
        }

        var waiting = false;
        var pods = await PodsWithStatus(askAll);
        var readAt = podListChanges;
        async Task<IReadOnlyList<(UnitPod Entry, PodStatus? Pod)>> Current()
        {
            if (readAt != podListChanges)
            {
                pods = await PodsWithStatus(askAll: false);
                readAt = podListChanges;
            }

            return pods;
        }

        // 1. Pods whose node left the cluster, or does not run them, are lost; pods whose MachineOf= target moved follow it.
        var targetNodes = await MachineOfNodes();
        foreach (var (entry, pod) in pods)
        {
            if (pod is null)
            {
                await Forget(entry);
            }
            else if (!pod.HasEnded && pod.NodeName is { } node && !IsNodeAlive(node))
            {
                var reason = $"lost: node {node} left the cluster";
                logger.LogWarning("Pod {PodId} of {Unit} {Reason}", pod.Id, Name, reason);
                await GrainFactory.GetGrain<IPodGrain>(pod.Id).MarkLost(reason);
                await RemovePod(entry, TimeSpan.Zero);
            }
            else if (pod.IsLost)
            {
                // Its node reported that it does not run it: replaced below like a pod of a node that left.
                await RemovePod(entry, TimeSpan.Zero);
            }
            else if (pod is { Phase: PodPhase.Pending, NodeName: null } && !Unit.Unit.Fleet.Global && entry.RequiredNode is { } pinned && !await IsNodeUp(pinned))
            {
                // A restart pinned it to its node, which went down before it ran there: it is made again, to go where it fits.
                logger.LogInformation("Pod {PodId} of {Unit} was to restart on {Node}, which is down: placing it anew", pod.Id, Name, pinned);
                await RemovePod(entry, TimeSpan.Zero);
            }
            else if (!pod.HasEnded && pod.NodeName is { } at && targetNodes is not null && !targetNodes.Contains(at))
            {
                logger.LogInformation("Pod {PodId} of {Unit} follows {Target} away from {Node}", pod.Id, Name, Unit.Unit.Fleet.MachineOf, at);
                await RemovePod(entry, ReplaceGrace);
            }
        }

        if (Unit.DesiredState == UnitDesiredState.Inactive)
        {
            return;
        }

        // 2. Ended pods of a launched unit restart on their node as Restart= says, with back-off.
        if (Unit.DesiredState == UnitDesiredState.Launched)
        {
            waiting |= await RestartEnded(await Current());
        }

        // 3. A changed unit replaces its outdated pods, MaxUnavailable= (default 1) at a time.
        waiting |= await RollOutdated(await Current());

        // 4. As many pods as asked: Count=, or one per matching node for Global=true.
        waiting |= await KeepCount(Current);

        // 5. Pods still pending try again: capacity may have been freed, a MachineOf= target placed.
        foreach (var (entry, pod) in await Current())
        {
            if (pod is { Phase: PodPhase.Pending, NodeName: null })
            {
                var after = known.Take(entry.PodId, await GrainFactory.GetGrain<IPodGrain>(entry.PodId).RetryPlacement());
                waiting |= after?.NodeName is null;
            }
        }

        // A follower keeps watching its target: nothing else tells it that the target moved.
        if (waiting || targetNodes is not null)
        {
            ScheduleRetry(RetryPeriod);
        }
    }

    private async Task<bool> RestartEnded(IReadOnlyList<(UnitPod Entry, PodStatus? Pod)> pods)
    {
        var policy = Unit.Unit!.Pod.Restart;
        var waiting = false;
        foreach (var (entry, pod) in pods)
        {
            if (pod is not { HasEnded: true } || pod.IsLost)
            {
                continue;
            }

            var failed = pod.Phase == PodPhase.Failed || pod.ExitCode is not 0;
            if (policy == RestartPolicy.No || (policy == RestartPolicy.OnFailure && !failed) || pod.EndCause == PodEndCause.NeverRan)
            {
                continue;
            }

            if (pod.StartedAt is { } started && pod.FinishedAt is { } finished && finished - started >= StableRun)
            {
                Unit.Restarts = 0;
            }

            var now = time.GetUtcNow();
            if (Unit.NextRestartAt is { } due && due > now)
            {
                ScheduleRetry(due - now);
                waiting = true;
                continue;
            }

            var delay = TimeSpan.FromSeconds(Math.Min(MaxRestartDelay.TotalSeconds, Math.Pow(2, Unit.Restarts)));
            Unit.Restarts++;
            Unit.NextRestartAt = now + delay;
            logger.LogInformation("Pod {PodId} of {Unit} ended ({Phase}, exit code {ExitCode}); restarting on {Node} (Restart={Policy}, next back-off {Delay})",
                pod.Id, Name, pod.Phase, pod.ExitCode, pod.NodeName, policy, delay);
            await RemovePod(entry, TimeSpan.Zero);
            await CreatePod(pod.NodeName is { } node && await IsNodeUp(node) ? node : entry.RequiredNode);
        }

        return waiting;
    }

    // A pod counts as unavailable while it does not run or is missing (removed, its replacement not yet made).
    // Outdated pods that do not run are replaced at once; running ones only while fewer than MaxUnavailable=
    // pods are unavailable, so the next goes once the new ones run.
    private async Task<bool> RollOutdated(IReadOnlyList<(UnitPod Entry, PodStatus? Pod)> pods)
    {
        var outdated = pods.Where(p => p.Entry.Revision < Unit.Revision).ToList();
        if (outdated.Count == 0)
        {
            return false;
        }

        var unit = Unit.Unit!;
        var launched = Unit.DesiredState == UnitDesiredState.Launched;
        var down = outdated.Where(p => !launched || p.Pod is not { Phase: PodPhase.Running }).ToList();
        var up = outdated.Except(down).ToList();
        var wanted = unit.Fleet.Global ? pods.Count : unit.Pod.Count;
        var unavailable = Math.Max(0, wanted - pods.Count) + pods.Except(down).Count(p => p.Pod is not { Phase: PodPhase.Running });
        var budget = Math.Max(0, unit.Pod.MaxUnavailable - unavailable);
        foreach (var (entry, _) in down.Concat(up.Take(budget)))
        {
            logger.LogInformation("Rolling unit {Unit} to revision {Revision}: replacing pod {PodId}", Name, Unit.Revision, entry.PodId);
            await RemovePod(entry, ReplaceGrace);
        }

        return up.Count > budget;
    }

    private async Task<bool> KeepCount(Func<Task<IReadOnlyList<(UnitPod Entry, PodStatus? Pod)>>> current)
    {
        var unit = Unit.Unit!;
        if (unit.Fleet.Global)
        {
            var nodes = await ServiceProvider.GetRequiredService<Scheduler>().MatchingNodes(
                new PlacementRequest("", Name, PodSpec.FromUnit(unit).Resources, UnitSpecifiers.ExpandFleet(unit), null) { Stage1 = unit.Pod.Stage1 });
            foreach (var entry in Unit.Pods.Where(p => p.RequiredNode is { } n && !nodes.Contains(n)).ToList())
            {
                await RemovePod(entry, ReplaceGrace);
            }

            await CreatePods([.. nodes.Where(n => !Unit.Pods.Exists(p => p.RequiredNode == n))]);

            return false;
        }

        if (unit.Fleet.Replaces is { } replaced && Unit.Pods.Count < unit.Pod.Count)
        {
            await StopReplaced(replaced);
        }

        if (Unit.Pods.Count < unit.Pod.Count)
        {
            await CreatePods(new string?[unit.Pod.Count - Unit.Pods.Count]);
        }

        // Fewer asked than there are: pending pods go first, then the newest.
        var extra = Unit.Pods.Count - unit.Pod.Count;
        if (extra > 0)
        {
            foreach (var (entry, _) in (await current()).OrderBy(p => p.Pod?.NodeName is null ? 0 : 1).ThenByDescending(p => p.Pod?.CreatedAt).Take(extra).ToList())
            {
                await RemovePod(entry, ReplaceGrace);
            }
        }

        return false;
    }

    private async Task StopReplaced(string replaced)
    {
        var status = await GrainFactory.GetGrain<IUnitGrain>(replaced).GetStatus();
        if (status?.Pods.Any(p => !p.HasEnded) == true)
        {
            logger.LogInformation("Unit {Unit} replaces {Replaced}: stopping it", Name, replaced);
            await GrainFactory.GetGrain<IUnitGrain>(replaced).Stop(ReplaceGrace);
        }
    }

    // The nodes of the MachineOf= target's live pods, or null when the unit names none.
    private async Task<IReadOnlySet<string>?> MachineOfNodes()
    {
        if (Unit.Unit is null || UnitSpecifiers.ExpandFleet(Unit.Unit).MachineOf is not { } target)
        {
            return null;
        }

        var status = await GrainFactory.GetGrain<IUnitGrain>(target).GetStatus().WaitAsync(StatusTimeout);
        return (status?.Pods ?? []).Where(p => !p.HasEnded && p.NodeName is not null).Select(p => p.NodeName!).ToHashSet(StringComparer.Ordinal);
    }

    // A node that is a silo is alive while that silo is active. An agent's node (no silo of its name) is watched by its
    // own node grain, which marks its pods lost when the agent stops beating.
    // Asked for every pod in every round: the dictionary's own enumerator allocates nothing, its Values and a lambda would.
    private bool IsNodeAlive(string node)
    {
        var isSilo = false;
        foreach (var (_, silo) in membership.CurrentSnapshot.Members)
        {
            if (silo.Name == node)
            {
                if (silo.Status == SiloStatus.Active)
                {
                    return true;
                }

                isSilo = true;
            }
        }

        return !isSilo;
    }

    // Where an ended pod restarts: on its node while that node is up. An agent's node is up while its grain holds its
    // agent, so a restart does not wait for one that is down.
    private async Task<bool> IsNodeUp(string node) =>
        IsNodeAlive(node) && (membership.CurrentSnapshot.Members.Values.Any(m => m.Name == node)
            || (await GrainFactory.GetGrain<INodeGrain>(node).GetStatus().WaitAsync(StatusTimeout)).Liveness == NodeLiveness.Up);

    // Orleans runs grain timers on the silo's TimeProvider (its TimeProviderNames.Grains clock, the default one
    // unless overridden): the clock `time` is, so a back-off's due time and the timer that waits for it agree.
    // The earliest wake-up wins: a restart due in 1 s is not put off by the 2 s look at pending pods; whatever
    // is still waiting when it wakes is scheduled again by that reconcile.
    private void ScheduleRetry(TimeSpan after)
    {
        var at = time.GetUtcNow() + after;
        if (retry is null || at < retryAt)
        {
            retry?.Dispose();
            retryAt = at;
            retry = this.RegisterGrainTimer(_ => OnRetryDue(), new GrainTimerCreationOptions(after, Timeout.InfiniteTimeSpan));
        }

        // A unit waiting on something stays active for its timer.
        DelayDeactivation(TimeSpan.FromMinutes(5));
    }

    // Asks every pod: a unit that waits also learns of a report it missed.
    private Task OnRetryDue()
    {
        retry?.Dispose();
        retry = null;
        return ReconcileOrRetry(askAll: true);
    }

    private async Task EnsureRunnable()
    {
        if (!Unit.Exists)
        {
            await InstantiateFromTemplate();
        }

        if (Unit.IsTemplate)
        {
            throw new FleetPodsException($"{Name} is a template; start an instance of it, e.g. {Name.Replace("@.", "@1.", StringComparison.Ordinal)}");
        }
    }

    private async Task InstantiateFromTemplate()
    {
        if (!UnitName.TryParse(Name, out var name, out _) || name!.Instance is not { Length: > 0 })
        {
            throw new FleetPodsException($"unit {Name} not found");
        }

        var template = GrainFactory.GetGrain<IUnitGrain>(name.TemplateName);
        var text = await template.GetText()
            ?? throw new FleetPodsException($"unit {Name} not found, nor its template {name.TemplateName}");
        var parsed = UnitFileParser.ParseInstance(name.TemplateName, text, Name);
        if (!parsed.Succeeded)
        {
            throw new FleetPodsException($"template {name.TemplateName} cannot make {Name}: {string.Join("; ", parsed.Errors)}");
        }

        // An instance runs its template's content, so an admin's template admits its instances for whoever starts
        // them; an instance of an operator's template is admitted for the caller, like a submit.
        var admission = await template.GetAdmission()
            ?? throw new FleetPodsException($"unit {Name} not found, nor its template {name.TemplateName}");
        if (admission.Role != Role.Admin)
        {
            admission = PodAdmissionCheck.Admit(parsed.Unit!.Pod, policy);
        }

        // An instance pins its registry images when it is made, as a submitted file does.
        var (pins, pinError) = await RegistryImagePins.Resolve(GrainFactory, name.TemplateName, parsed.Unit!);
        if (pinError is not null)
        {
            throw new FleetPodsException($"{Name}: {pinError.Message}");
        }

        await new KeyRegistry(GrainFactory, RegistryKind.Units).Add(Name);
        Store(name.TemplateName, text, parsed.Unit!, isTemplate: false, admission);
        Unit.PinnedImages = pins;
        await state.Save(this);
        logger.LogInformation("Unit {Unit} instantiated from {Template}", Name, name.TemplateName);
    }

    private void Store(string fileName, string text, UnitFile unit, bool isTemplate, PodAdmission admission)
    {
        Unit.Admission = admission;
        Unit.Exists = true;
        Unit.FileName = fileName;
        Unit.Text = text;
        Unit.Unit = unit;
        Unit.IsTemplate = isTemplate;
        Unit.SubmittedAt = time.GetUtcNow();
    }

    private Task CreatePod(string? requiredNode) => CreatePods([requiredNode]);

    // The unit records every new pod in one write before any is made, so a pod never exists that its unit does not
    // list; the pods are then listed in the pods' registry and made and placed a few at a time, side by side, each batch
    // in one registry shard (one call, one write), listed while the batch before it is made. Not all at once: a cluster
    // asked to place thousands of pods at one instant answers everything late, heartbeats too, and then loses nodes
    // that are fine.
    private async Task CreatePods(string?[] requiredNodes)
    {
        if (requiredNodes.Length == 0)
        {
            return;
        }

        var unit = RegistryImagePins.Apply(Unit.Unit!, Unit.PinnedImages);
        var registry = new KeyRegistry(GrainFactory, RegistryKind.Pods);
        var batches = requiredNodes.Chunk(CreateConcurrency)
            .Select(nodes => registry.NewKeys(nodes.Length).Zip(nodes, (id, node) => new UnitPod(id, Unit.Revision, node)).ToArray())
            .ToArray();
        Unit.Pods.AddRange(batches.SelectMany(batch => batch));
        podListChanges++;
        await state.Save(this);
        var spec = PodSpec.FromUnit(unit) with { Admission = Unit.Admission ?? PodAdmission.BeforePolicy };
        var start = Unit.DesiredState == UnitDesiredState.Launched;

        // Only a rolling update waits for new pods to run (RollOutdated: the submit that began it asked every pod, so what
        // it knows of the outdated ones is fresh). Any other pod's running report would queue nothing (PodChanged), so
        // it is not sent: one message fewer a pod.
        var onlyOfEnd = !Unit.Pods.Exists(p => p.Revision < Unit.Revision);
        var listing = List(batches[0]);
        try
        {
            for (var i = 0; i < batches.Length; i++)
            {
                await listing;
                listing = i + 1 < batches.Length ? List(batches[i + 1]) : Task.CompletedTask;
                await Task.WhenAll(batches[i].Select(async e =>
                    known.Take(e.PodId, await GrainFactory.GetGrain<IListedPodCreation>(e.PodId).CreateListed(spec, unit, start, e.RequiredNode, onlyOfEnd))));
            }
        }
        finally
        {
            // A batch that failed leaves the next one's listing unwaited. Its pods are then listed and never made, as
            // the pods of a batch whose creation failed are: listings skip a pod with no state, and reconcile forgets it.
            listing.Ignore();
        }

        Task List(UnitPod[] batch) => registry.Add([.. batch.Select(e => e.PodId)]);
    }

    private async Task RemovePod(UnitPod entry, TimeSpan grace)
    {
        await GrainFactory.GetGrain<IPodGrain>(entry.PodId).Destroy(grace);
        await Forget(entry);
    }

    private async Task Forget(UnitPod entry)
    {
        known.Forget(entry.PodId);
        if (Unit.Pods.Remove(entry))
        {
            podListChanges++;
            await state.Save(this);
        }
    }

    private async Task RemoveAllPods(TimeSpan grace)
    {
        foreach (var entry in Unit.Pods.ToList())
        {
            await RemovePod(entry, grace);
        }
    }

    // askAll false asks only the pods the unit has heard nothing of (after its activation, say), side by side. A
    // reconcile that a pod's change set off runs for every few pods a unit places, so the others cost no task each.
    private async Task<IReadOnlyList<(UnitPod Entry, PodStatus? Pod)>> PodsWithStatus(bool askAll)
    {
        var entries = Unit.Pods.ToArray();
        var pods = new (UnitPod Entry, PodStatus? Pod)[entries.Length];
        List<Task>? asking = null;
        for (var i = 0; i < entries.Length; i++)
        {
            var entry = entries[i];
            if (!askAll && known.TryGet(entry.PodId, out var status))
            {
                pods[i] = (entry, status);
            }
            else
            {
                (asking ??= []).Add(Ask(i, entry));
            }
        }

        if (asking is not null)
        {
            await Task.WhenAll(asking);
        }

        return pods;

        async Task Ask(int i, UnitPod entry) =>
            pods[i] = (entry, known.Take(entry.PodId, await GrainFactory.GetGrain<IPodGrain>(entry.PodId).GetStatus().WaitAsync(StatusTimeout)));
    }

    private async Task SetDesired(UnitDesiredState desired)
    {
        if (Unit.DesiredState != desired)
        {
            Unit.DesiredState = desired;
            await state.Save(this);
            logger.LogInformation("Unit {Unit} desired state {DesiredState}", Name, desired);
        }
    }

    private void EnsureExists()
    {
        if (!Unit.Exists)
        {
            throw new FleetPodsException($"unit {Name} not found");
        }
    }

    // Load and start describe their unit with askAll false: the reconcile they just ran asked every pod, and heard
    // from each since, so its answer is no older than the call.
    private async Task<UnitStatus> Describe(bool askAll)
    {
        var pods = (await PodsWithStatus(askAll)).Select(p => p.Pod).OfType<PodStatus>().ToList();
        var first = pods.Where(p => !p.HasEnded).Concat(pods).FirstOrDefault();
        return new(Name, Description(first?.NodeName), Unit.IsTemplate, Unit.DesiredState, first, Unit.SubmittedAt) { Pods = pods, DesiredPods = DesiredPods() };
    }

    // A global unit keeps one pod per matching node, so what it holds is what it asks for.
    private int DesiredPods() =>
        Unit.Unit is not { } unit || Unit.IsTemplate || Unit.DesiredState == UnitDesiredState.Inactive ? 0
        : unit.Fleet.Global ? Unit.Pods.Count
        : unit.Pod.Count;

    // A template's description is shown as written; an instance's with its specifiers expanded, %m only once placed.
    private string? Description(string? nodeName)
    {
        if (Unit.Unit is not { Description: { } description } unit || Unit.IsTemplate)
        {
            return Unit.Unit?.Description;
        }

        try
        {
            return UnitSpecifiers.Expand(unit, new SpecifierContext(Name, nodeName)).Description;
        }
        catch (ArgumentException)
        {
            return description;
        }
    }

    private SubmitResult Refuse(string fileName, string message) =>
        new(Name, [new UnitFileError(fileName, 0, "", message)]);
}
