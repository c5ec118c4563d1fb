using System.Collections.Concurrent;
using System.Threading.Channels;
using FleetPods.NodeRuntime.Flavors;
using FleetPods.NodeRuntime.Images;
using FleetPods.NodeRuntime.Kvm;
using FleetPods.NodeRuntime.Pods;
using Microsoft.Extensions.Logging;
using Tmds.Linux;

namespace FleetPods.NodeRuntime;

/// <summary>
/// rkt's stage0 for one node: keeps its images, renders pods' root filesystems and launches them through
/// stage1, and observes their lives. Usable without Orleans. Disposing it leaves running pods running: they
/// belong to their supervisors, and a new instance on the same data directory finds them again.
/// </summary>
public sealed class PodRuntime : IAsyncDisposable
{
    /// <summary>How long a pod's end may take once it was sent SIGKILL (its supervisor still writes its records).</summary>
    internal static readonly TimeSpan KillWait = TimeSpan.FromSeconds(30);

    // Every process of an ended pod is gone, so its terminal's last output is already on its way to the log.
    private static readonly TimeSpan ConsoleDrainWait = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan SessionStartTimeout = TimeSpan.FromSeconds(30);

    // An enter session is a process on the node for as long as its caller likes: a pod holds this many at once.
    private const int MaxSessions = 16;

    // Mount options must fit in one page with the upper and work dirs beside the lower ones.
    private const int MaxOverlayLowerLength = 3500;

    private readonly string podsDirectory;
    private readonly ILogger<PodRuntime> logger;
    private readonly NamespaceLauncher launcher;
    private readonly KvmLauncher kvm;
    private readonly Dictionary<Stage1Flavor, IStage1> flavors;
    private readonly PodExitWatcher watcher = new();
    private readonly Channel<PodStateChange> changes = Channel.CreateUnbounded<PodStateChange>();
    private readonly ConcurrentDictionary<string, TrackedPod> pods = new(StringComparer.Ordinal);
    private readonly NodeNetwork network;
    private readonly UserIdRanges userIds;
    private readonly Lazy<CgroupLayout> cgroups = new(CgroupLayout.Detect);
    private readonly int pidsLimit;

    public PodRuntime(NodeRuntimeOptions options, ILogger<PodRuntime> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        var data = Path.GetFullPath(options.DataDirectory);
        // The overlay mount options are a comma- and colon-separated list of these paths.
        if (data.IndexOfAny([',', ':']) >= 0)
        {
            throw new ArgumentException($"data directory '{data}' may not contain ',' or ':'", nameof(options));
        }

        this.logger = logger;
        podsDirectory = Path.Combine(data, "pods");
        // Pods' records and manifests hold their environment, secrets included: the node's root alone reads them.
        const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        Directory.CreateDirectory(podsDirectory, OwnerOnly);
        File.SetUnixFileMode(podsDirectory, OwnerOnly);
        Images = new ImageStore(Path.Combine(data, "images"), options.MaxImageSizeBytes, options.FetchRetryDelay, logger);
        launcher = new NamespaceLauncher(options.ShimPath ?? PodSupervisor.DefaultShimPath);
        kvm = new KvmLauncher(options, launcher.ShimPath, Path.Combine(data, "kvm"), logger);
        flavors = new IStage1[] { new NsStage1(launcher), new FlyStage1(launcher), new KvmStage1(kvm, logger) }.ToDictionary(f => f.Flavor);
        var leases = new HostLeases(options.LeaseDirectory);
        leases.SweepStale();
        network = new NodeNetwork(leases);
        userIds = new UserIdRanges(leases);
        pidsLimit = options.PodPidsLimit;
    }

    public ImageStore Images { get; }

    /// <summary>Every phase change of every pod on this node, in order per pod.</summary>
    public ChannelReader<PodStateChange> StateChanges => changes.Reader;

    /// <summary>True when this runtime launched or recovered the pod (running or ended).</summary>
    public bool Knows(string podId) => pods.ContainsKey(podId);

    /// <summary>CPU millicores (the CPUs, or the cgroup's quota if tighter) and memory (MemTotal) of this machine.</summary>
    public NodeResources ReadCapacity()
    {
        var capacity = NodeCapacity.Read();
        logger.LogDebug("Node capacity: {CpuMillis} millicores, {MemoryBytes} bytes of memory", capacity.CpuMillis, capacity.MemoryBytes);
        return capacity;
    }

    /// <summary>
    /// Finds the pods an earlier process launched on this data directory and returns each one's real state
    /// now; running ones are watched again, and their ends arrive on <see cref="StateChanges"/>.
    /// </summary>
    public Task<IReadOnlyList<PodStateChange>> RecoverAsync(CancellationToken cancellationToken = default)
    {
        var found = new List<PodStateChange>();
        foreach (var root in Directory.GetDirectories(podsDirectory))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var id = Path.GetFileName(root);
            if (PodDirectory.IsValidId(id) && !pods.ContainsKey(id))
            {
                found.Add(Recover(id, new PodDirectory(root)));
            }
        }

        logger.LogInformation("Recovered {Count} pods from {Directory}", found.Count, podsDirectory);
        return Task.FromResult<IReadOnlyList<PodStateChange>>(found);
    }

    /// <summary>
    /// Renders the pod's rootfs and launches it; emits Preparing, then Running or Failed. The pod is known to
    /// this runtime (<see cref="Knows"/>, <see cref="StopPodAsync"/>) from the moment the returned task exists.
    /// Cancellation is honoured until the pod's supervisor starts; after that the launch is decided within moments.
    /// </summary>
    /// <exception cref="PodLaunchException">The pod could not start; Failed with the same reason was emitted.</exception>
    public async Task StartPodAsync(PodLaunchRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!PodDirectory.IsValidId(request.PodId))
        {
            throw new PodLaunchException($"pod id '{request.PodId}' is not 1 to 64 characters of [a-z0-9-]");
        }

        var pod = new PodDirectory(Path.Combine(podsDirectory, request.PodId));
        var tracked = new TrackedPod(pod);
        if (Directory.Exists(pod.Root) || !pods.TryAdd(request.PodId, tracked))
        {
            throw new PodLaunchException($"pod {request.PodId} already exists on this node");
        }

        Emit(new PodStateChange(request.PodId, PodPhase.Preparing, null, null, DateTimeOffset.UtcNow));
        try
        {
            var (plans, isolation) = await Prepare(request, tracked, cancellationToken);
            tracked.Console = PodConsoleRelay.Open(request.Input, request.Terminal, pod.Log, pod.Stdin);
            var processes = await flavors[request.Stage1].Launch(new Stage1Launch(pod, plans, request, isolation, tracked.Console), cancellationToken);
            if (processes is null || File.Exists(pod.Failure))
            {
                // The pod ends once its supervisor is gone, not before: until then it still writes its records.
                if (processes is null || !watcher.Watch(processes.Shim, () => OnSupervisorExit(request.PodId)))
                {
                    OnSupervisorExit(request.PodId);
                }

                var end = await tracked.Ended.Task.WaitAsync(KillWait, CancellationToken.None);
                throw new PodLaunchException(end.Reason ?? "the pod ended before it ran");
            }

            tracked.Processes = processes;
            tracked.Console?.AppHasItsEnd();
            tracked.Launched.TrySetResult();

            Emit(new PodStateChange(request.PodId, PodPhase.Running, null, null, DateTimeOffset.UtcNow));
            if (!watcher.Watch(processes.Shim, () => OnSupervisorExit(request.PodId)))
            {
                OnSupervisorExit(request.PodId);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Fail(tracked, "the launch was cancelled before the pod started");
            throw;
        }
        catch (Exception ex) when (ex is PodLaunchException or IOException or UnauthorizedAccessException)
        {
            Fail(tracked, ex.Message);
            throw ex as PodLaunchException ?? new PodLaunchException(ex.Message, ex);
        }
    }

    /// <summary>
    /// SIGTERM to the app, SIGKILL after <paramref name="grace"/>; returns the pod's end once it has ended. A pod that
    /// already ended returns its end at once; a stop that overtakes the launch waits for it first.
    /// </summary>
    public async Task<PodStateChange> StopPodAsync(string podId, TimeSpan grace, CancellationToken cancellationToken = default)
    {
        var tracked = Tracked(podId);
        if (tracked.Ended.Task.IsCompleted)
        {
            return await tracked.Ended.Task;
        }

        await Task.WhenAny(tracked.Launched.Task, tracked.Ended.Task).WaitAsync(KillWait, cancellationToken);
        if (tracked.Ended.Task.IsCompleted)
        {
            return await tracked.Ended.Task;
        }

        return await flavors[tracked.Isolation?.Stage1 ?? Stage1Flavor.Ns].Stop(tracked.Directory, tracked.Processes!, grace, tracked.Ended.Task, cancellationToken);
    }

    /// <summary>
    /// What this node's stage1 kvm pods boot on, as far as known without booting anything: null until the first kvm pod
    /// (or <see cref="PrepareKvmAsync"/>) has probed the accelerator.
    /// </summary>
    /// <exception cref="PodLaunchException">This node cannot run kvm pods (no kernel).</exception>
    public KvmAccelerator? KnownKvmAccelerator() => kvm.KnownAccelerator();

    /// <summary>Readies stage1 kvm now (kernel, initramfs, accelerator probe) rather than at the first kvm pod; returns the accelerator.</summary>
    /// <exception cref="PodLaunchException">This node cannot run kvm pods; the message says what is missing.</exception>
    public async Task<KvmAccelerator> PrepareKvmAsync(CancellationToken cancellationToken = default) =>
        (await kvm.PrepareAsync(cancellationToken)).Accelerator;

    /// <summary>
    /// Gives back what a pod this runtime does not know may still hold of the node, when its tree vanished while no
    /// daemon watched: its cgroups (named by its id, which no other pod has), after ending what is left in them.
    /// Its leases are stale without its tree and go by themselves. A pod this runtime knows, or whose tree exists, is left alone.
    /// </summary>
    public void ForgetLost(string podId)
    {
        if (!PodDirectory.IsValidId(podId) || pods.ContainsKey(podId) || Directory.Exists(Path.Combine(podsDirectory, podId)))
        {
            return;
        }

        PodCgroups.Remove(cgroups.Value.Hierarchies.Select(h => Path.Combine(h.Directory, podId)));
    }

    /// <summary>
    /// The command line that runs a command inside one of the pod's running apps, as <c>rkt enter</c> did: it joins the
    /// app's cgroups, namespaces and root with the app's confinement. Append <c>--</c> and the command; run it on this node.
    /// </summary>
    /// <param name="appName">The app, or null for the pod's first.</param>
    /// <exception cref="PodLaunchException">The pod is not running here, or has no such app.</exception>
    public IReadOnlyList<string> EnterCommand(string podId, string? appName)
    {
        var tracked = Tracked(podId);
        if (tracked.Ended.Task.IsCompleted || tracked.Processes is not { } processes)
        {
            throw new PodLaunchException($"pod {podId} is not running");
        }

        var request = tracked.Directory.ReadRecord()?.Request ?? throw new PodLaunchException($"pod {podId} has no record of what it runs");
        var names = request.Apps.Select(a => a.Name).ToList();
        var name = appName ?? names[0];
        if (!names.Contains(name))
        {
            throw new PodLaunchException($"pod {podId} has no app '{name}' (its apps: {string.Join(", ", names)})");
        }

        List<string> command = [.. flavors[request.Stage1].EnterCommand(tracked.Directory, podId, processes, name, names.Count > 1, tracked.Isolation?.Cgroups ?? [])];
        command.AddRange(["--env", "PATH=" + PodLaunchPlan.DefaultPath, "--env", "AC_APP_NAME=" + name]);
        return command;
    }

    /// <summary>
    /// Hands <paramref name="data"/> to the first app of a pod run with input (once it runs), or to an enter
    /// <paramref name="session"/>'s command, waiting while it does not read; <paramref name="endOfInput"/> then closes its
    /// stdin (not a terminal's: there Ctrl-D is the app's to read).
    /// </summary>
    /// <exception cref="PodLaunchException">There is no such console here, it has ended, or nothing reads it any more.</exception>
    public async Task WriteInputAsync(string podId, string? session, ReadOnlyMemory<byte> data, bool endOfInput, CancellationToken cancellationToken = default)
    {
        var tracked = Tracked(podId);
        if (session is null)
        {
            await Task.WhenAny(tracked.Launched.Task, tracked.Ended.Task).WaitAsync(cancellationToken);
            if (tracked.Ended.Task.IsCompleted)
            {
                throw new PodLaunchException($"pod {podId} has ended: nothing reads its input");
            }
        }

        var console = ConsoleOf(tracked, podId, session);
        try
        {
            await console.WriteAsync(data, endOfInput, cancellationToken);
        }
        catch (PodLaunchException ex)
        {
            throw new PodLaunchException($"{ConsoleName(podId, session)}: {ex.Message}");
        }
    }

    /// <summary>Gives a pod's terminal, or an enter session's, a new size; its foreground process gets SIGWINCH.</summary>
    /// <exception cref="PodLaunchException">There is no such terminal here.</exception>
    public void ResizeTerminal(string podId, string? session, PodTerminalSize size)
    {
        var console = ConsoleOf(Tracked(podId), podId, session);
        try
        {
            console.Resize(size);
        }
        catch (PodLaunchException ex)
        {
            throw new PodLaunchException($"{ConsoleName(podId, session)}: {ex.Message}");
        }
    }

    /// <summary>
    /// Runs a command inside a running app of the pod, as <c>rkt enter</c> did (<see cref="EnterCommand"/>), for a caller
    /// who is not at this node: its console is this daemon's to relay and its output goes to a file of the pod's.
    /// Returns the session's id once the command has its console (or failed to start, which its output says).
    /// </summary>
    /// <exception cref="PodLaunchException">The pod is not running here, has no such app, or has too many sessions.</exception>
    public async Task<string> StartSessionAsync(string podId, EnterSessionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Command.Count == 0)
        {
            throw new PodLaunchException("an enter session needs a command");
        }

        var command = EnterCommand(podId, request.App);
        var tracked = Tracked(podId);
        if (tracked.Sessions.Values.Count(s => !s.Exit.IsCompleted) >= MaxSessions)
        {
            throw new PodLaunchException($"pod {podId} already has {MaxSessions} enter sessions running");
        }

        var id = Guid.NewGuid().ToString("N");
        var directory = Path.Combine(tracked.Directory.Root, "sessions", id);
        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var output = Path.Combine(directory, "output");
        var console = PodConsoleRelay.Open(request.Input, request.Terminal, output, Path.Combine(directory, "stdin"));
        var start = new System.Diagnostics.ProcessStartInfo(command[0]) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (IEnumerable<string>)[
            .. command.Skip(1), .. request.Environment.SelectMany(v => new[] { "--env", $"{v.Key}={v.Value}" }),
            "--output", output, .. console?.SupervisorArguments ?? [], "--", .. request.Command])
        {
            start.ArgumentList.Add(argument);
        }

        var supervisor = System.Diagnostics.Process.Start(start) ?? throw new PodLaunchException("the enter supervisor did not start");
        // Its stdout reaches end-of-file once the command has exec'd or failed (see enter.c); its stderr carries only
        // its own usage errors, since it writes everything else to the session's output.
        var ready = supervisor.StandardOutput.ReadToEndAsync(cancellationToken);
        var usage = supervisor.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await Task.WhenAll(ready, usage).WaitAsync(SessionStartTimeout, cancellationToken);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            supervisor.Kill(entireProcessTree: true);
            supervisor.Dispose();
            console?.Dispose();
            throw new PodLaunchException($"the command did not start within {SessionStartTimeout.TotalSeconds} s");
        }

        if ((await usage).Trim() is { Length: > 0 } refused)
        {
            supervisor.Dispose();
            console?.Dispose();
            throw new PodLaunchException($"the enter supervisor refused: {refused}");
        }

        console?.AppHasItsEnd();
        tracked.Sessions[id] = new EnterSession(id, output, supervisor, console, ConsoleDrainWait);
        return id;
    }

    /// <summary>Reads an enter session's output from <paramref name="offset"/>; the exit code comes with its end.</summary>
    /// <exception cref="PodLaunchException">The pod has no such session here.</exception>
    public async Task<EnterSessionOutput> ReadSessionOutputAsync(string podId, string session, long offset, int maxBytes, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        var entered = SessionOf(Tracked(podId), podId, session);
        // Read before the output: once ended, everything the command wrote is in the file.
        int? exit = entered.Exit.IsCompleted ? await entered.Exit : null;
        await using var file = new FileStream(entered.Output, FileMode.OpenOrCreate, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        file.Seek(Math.Min(offset, file.Length), SeekOrigin.Begin);
        var buffer = new byte[(int)Math.Min(maxBytes, Math.Max(0, file.Length - file.Position))];
        var read = await file.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);
        return new EnterSessionOutput(buffer[..read], file.Position, file.Position >= file.Length ? exit : null);
    }

    /// <summary>Ends an enter session's command (its caller went away); a session that has ended is left as it is.</summary>
    /// <exception cref="PodLaunchException">The pod has no such session here.</exception>
    public void EndSession(string podId, string session) => SessionOf(Tracked(podId), podId, session).End();

    private static PodConsoleRelay ConsoleOf(TrackedPod tracked, string podId, string? session)
    {
        if (session is not null)
        {
            var entered = SessionOf(tracked, podId, session);
            return entered.Exit.IsCompleted
                ? throw new PodLaunchException($"enter session {session} of pod {podId} has ended: nothing reads its input")
                : entered.Console ?? throw new PodLaunchException($"enter session {session} of pod {podId} takes no input");
        }

        return tracked.Console ?? throw new PodLaunchException($"pod {podId} has no console on this node: it was run without --interactive or --tty, or fleetpodsd restarted since");
    }

    private static string ConsoleName(string podId, string? session) => session is null ? $"pod {podId}" : $"enter session {session} of pod {podId}";

    private static EnterSession SessionOf(TrackedPod tracked, string podId, string session) =>
        tracked.Sessions.GetValueOrDefault(session) ?? throw new PodLaunchException($"pod {podId} has no enter session {session} on this node");

    public async Task<PodLogChunk> ReadLogAsync(string podId, long offset, int maxBytes, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        var tracked = Tracked(podId);
        // Read before the log: once ended, everything the pod wrote is in the file.
        var ended = tracked.Ended.Task.IsCompleted;
        if (!File.Exists(tracked.Directory.Log))
        {
            return new PodLogChunk([], offset, ended);
        }

        await using var log = new FileStream(tracked.Directory.Log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        log.Seek(Math.Min(offset, log.Length), SeekOrigin.Begin);
        var buffer = new byte[(int)Math.Min(maxBytes, Math.Max(0, log.Length - log.Position))];
        var read = await log.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);
        var next = log.Position;
        return new PodLogChunk(buffer[..read], next, ended && next >= log.Length);
    }

    /// <summary>The pod manifest this node wrote for the pod (<c>fleetpods cat-manifest</c>), or null before its launch wrote one.</summary>
    /// <exception cref="PodLaunchException">The pod is not on this node.</exception>
    public async Task<string?> ReadManifestAsync(string podId, CancellationToken cancellationToken = default)
    {
        var manifest = Tracked(podId).Directory.Manifest;
        try
        {
            return await File.ReadAllTextAsync(manifest, cancellationToken);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// Kills the pod if it runs and deletes its directory. Nothing is
    /// mounted on the host for a pod (its mounts live in its own mount namespace and go with it), so none to undo.
    /// A pod this node does not have is a no-op.
    /// </summary>
    public async Task RemovePodAsync(string podId, CancellationToken cancellationToken = default)
    {
        if (Find(podId) is not { } tracked)
        {
            return;
        }

        if (!tracked.Ended.Task.IsCompleted)
        {
            await StopPodAsync(podId, TimeSpan.Zero, cancellationToken);
        }

        if (Directory.Exists(tracked.Directory.Root))
        {
            Directory.Delete(tracked.Directory.Root, recursive: true);
        }

        pods.TryRemove(podId, out _);
        if (tracked.Isolation is null)
        {
            // Recovered without a readable pod.json, the pod told nothing of its cgroups: they are found by its id.
            ForgetLost(podId);
        }
    }

    /// <summary>Removes an image from this node's store, and the layers no other image shares.</summary>
    /// <exception cref="ImageImportException">No such image, or a pod on this node (running or not yet removed) uses it.</exception>
    public ImageRecord RemoveImage(string nameOrDigest) => Images.Remove(nameOrDigest, ImagesInUse());

    /// <summary>
    /// rkt's <c>image gc</c>: removes the images no pod on this node uses and none has used for longer than
    /// <paramref name="grace"/>, and every layer and blob no image names (what removed images and crashed imports left).
    /// </summary>
    public IReadOnlyList<ImageRecord> CollectImageGarbage(TimeSpan grace) => Images.CollectGarbage(grace, ImagesInUse());

    /// <summary>rkt's <c>gc</c>: removes the trees of pods that ended longer than <paramref name="grace"/> ago; returns their ids.</summary>
    public async Task<IReadOnlyList<string>> CollectPodGarbageAsync(TimeSpan grace, CancellationToken cancellationToken = default)
    {
        var cutoff = DateTime.UtcNow - grace;
        var removed = new List<string>();
        foreach (var id in Directory.GetDirectories(podsDirectory).Select(Path.GetFileName).Where(id => PodDirectory.IsValidId(id!)))
        {
            if (Find(id!) is { Ended.Task.IsCompleted: true } tracked
                && new[] { tracked.Directory.Exit, tracked.Directory.Failure }.Where(File.Exists).Select(File.GetLastWriteTimeUtc).DefaultIfEmpty(DateTime.MaxValue).Min() < cutoff)
            {
                await RemovePodAsync(id!, cancellationToken);
                removed.Add(id!);
            }
        }

        logger.LogInformation("Garbage collection removed {Count} ended pods", removed.Count);
        return removed;
    }

    private HashSet<string> ImagesInUse() =>
        [.. Directory.GetDirectories(podsDirectory)
            .SelectMany(d => new PodDirectory(d).ReadRecord()?.Request is { } request
                ? request.Apps.Select(app => app.ImageDigest ?? request.ImageDigest)
                : [])
            .Select(reference => Images.Find(reference)?.Digest ?? reference)];

    public ValueTask DisposeAsync()
    {
        watcher.Dispose();
        kvm.Dispose();
        changes.Writer.TryComplete();
        return ValueTask.CompletedTask;
    }

    // The supervisor is checked before the end is read: it records the end before it exits, so a supervisor found
    // gone with no end recorded is really lost, not just finishing.
    private PodStateChange Recover(string id, PodDirectory pod)
    {
        var tracked = pods.GetOrAdd(id, _ => new TrackedPod(pod));
        if (pod.ReadRecord() is { } record)
        {
            tracked.Isolation = record.Isolation;
            tracked.Ports = record.Request.Ports;
        }

        var processes = pod.ReadProcesses();
        var alive = processes?.IsSupervisorOf(pod) == true;
        var now = DateTimeOffset.UtcNow;
        PodStateChange state;
        if (pod.ReadEnd() is { } end)
        {
            state = new PodStateChange(id, end.Phase, end.Code, end.Reason, now) { OutOfMemory = end.OutOfMemory };
        }
        else if (alive)
        {
            tracked.Processes = processes;
            tracked.Launched.TrySetResult();
            var running = new PodStateChange(id, PodPhase.Running, null, null, now);
            LogRecovered(pod, running);
            if (!watcher.Watch(processes!.Shim, () => OnSupervisorExit(id)))
            {
                OnSupervisorExit(id);
            }

            return running;
        }
        else
        {
            var reason = processes is null
                ? "supervisor lost: the daemon stopped before the pod's supervisor recorded it"
                : "supervisor lost: it exited without recording an exit code";
            state = new PodStateChange(id, PodPhase.Failed, null, reason, now);
        }

        tracked.Ended.TrySetResult(state);
        Release(tracked);
        LogRecovered(pod, state);
        return state;
    }

    private void LogRecovered(PodDirectory pod, PodStateChange state)
    {
        var record = pod.ReadRecord();
        logger.LogInformation(
            "Found pod {PodId} of image {Image} running {Exec}: {Phase} {ExitCode} {Reason}",
            state.PodId,
            record?.Request.ImageDigest ?? "(no pod.json)",
            record is null ? "" : string.Join(' ', record.Exec),
            state.Phase,
            state.ExitCode,
            state.Reason);
    }

    private async Task<(IReadOnlyList<PodLaunchPlan> Plans, PodIsolation Isolation)> Prepare(PodLaunchRequest request, TrackedPod tracked, CancellationToken cancellationToken)
    {
        var stage1 = flavors[request.Stage1];
        var networkMode = PodRequestCheck.Check(request, stage1);
        var pod = tracked.Directory;
        var apps = request.Apps.ToList();
        var plans = new List<PodLaunchPlan>();
        foreach (var app in apps)
        {
            var digest = app.ImageDigest ?? request.ImageDigest;
            var image = Images.Find(digest) ?? throw new PodLaunchException($"image {digest} is not in this node's store");
            var lowers = await Images.PrepareLayersAsync(image, cancellationToken);
            var plan = PodLaunchPlan.Resolve(request, app, image, string.Join(':', lowers));
            if (plan.LowerDirectory.Length > MaxOverlayLowerLength)
            {
                throw new PodLaunchException($"image {image.Name} has too many layers ({lowers.Count}) for one overlay mount");
            }

            plans.Add(plan);
        }

        Directory.CreateDirectory(pod.Root);
        tracked.Ports = request.Ports;
        var isolation = new PodIsolation(request.Stage1, networkMode, null, [], null, null);
        tracked.Isolation = isolation;
        if (request.PrivateUsers)
        {
            isolation = tracked.Isolation = isolation with { UidBase = userIds.Allocate(pod) };
        }

        if (networkMode == PodNetworkMode.Default)
        {
            NodeNetwork.EnsureSetUp();
            isolation = tracked.Isolation = isolation with { Address = network.Allocate(pod) };
            network.Forward(request.Ports, isolation.Address!, pod);
        }

        var limited = stage1.LimitsInNodeCgroups;
        var (cgroupDirectories, oomEvents) = PodCgroups.Create(cgroups.Value, request.PodId, limited ? request.MemoryBytes : null, limited ? request.CpuMillis : null, pidsLimit);
        isolation = tracked.Isolation = isolation with { Cgroups = cgroupDirectories, OomEvents = limited ? oomEvents : null };

        for (var i = 0; i < plans.Count; i++)
        {
            plans[i] = await Render(plans[i], request, pod, i, isolation.UidBase, cancellationToken);
        }

        await pod.WriteRecord(new PodRecord(request, plans[0].Exec, DateTimeOffset.UtcNow) { Isolation = isolation }, cancellationToken);
        return (plans, isolation);
    }

    // The app's rootfs (overlay layers or a copy) and its volumes. With private users the overlay's upper layer
    // and empty volumes belong to the pod's root; the image's own layers are shifted by idmapped mounts instead.
    private static async Task<PodLaunchPlan> Render(PodLaunchPlan plan, PodLaunchRequest request, PodDirectory pod, int index, long? uidBase, CancellationToken cancellationToken)
    {
        var layers = pod.AppLayers(index, plan.Name);
        Directory.CreateDirectory(layers.Root);
        if (request.Overlay)
        {
            Directory.CreateDirectory(layers.Upper);
            Directory.CreateDirectory(layers.Work);
            if (uidBase is { } owner)
            {
                ChangeOwner(layers.Upper, owner);
                ChangeOwner(layers.Work, owner);
            }

            plan = plan with { Layers = (layers.Upper, layers.Work) };
        }
        else
        {
            // The plan's lower directories are the image's layers, joined by ':' as overlayfs takes them.
            await RootfsCopier.CopyAsync(plan.LowerDirectory.Split(':'), layers.Rootfs, layers.Root, cancellationToken);
            plan = plan with { CopiedRootfs = layers.Rootfs };
        }

        var app = request.Apps.ElementAt(index);
        var mounts = new List<PodPlanMount>();
        foreach (var mount in app.Mounts)
        {
            var volume = request.Volumes.First(v => v.Name == mount.Volume);
            var source = volume.Kind == PodVolumeKind.Host ? volume.Source! : pod.Volume(volume.Name);
            if (volume.Kind == PodVolumeKind.Empty && !Directory.Exists(source))
            {
                // World-writable like /tmp (mode 1777, set after mkdir so no umask narrows it), so every app of
                // the pod may share it whatever user it runs as.
                Directory.CreateDirectory(source);
                if (OperatingSystem.IsLinux())
                {
                    File.SetUnixFileMode(source, (UnixFileMode)0x3ff);
                }
                if (uidBase is { } owner)
                {
                    ChangeOwner(source, owner);
                }
            }

            // An empty volume is the pod's root's already; a host directory is shifted when the pod has its own ids.
            mounts.Add(new PodPlanMount(volume.Name, source, mount.Target, volume.ReadOnly, uidBase is not null && volume.Kind == PodVolumeKind.Host));
        }

        return plan with { Mounts = mounts };
    }

    private static unsafe void ChangeOwner(string path, long id)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* pointer = bytes)
        {
            if (LibC.lchown(pointer, (uint)id, (uint)id) != 0)
            {
                throw new PodLaunchException($"chown {path} to {id}: errno {LibC.errno}");
            }
        }
    }

    // Gives back what the pod held of the node, once: its forwards, address, user ids and cgroups.
    private void Release(TrackedPod tracked)
    {
        if (tracked.Isolation is not { } isolation || !tracked.MarkReleased())
        {
            return;
        }

        try
        {
            network.Release(isolation.Address, tracked.Ports, tracked.Directory);
            if (isolation.UidBase is { } uidBase)
            {
                userIds.Release(uidBase, tracked.Directory);
            }

            PodCgroups.Remove(isolation.Cgroups);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or PodLaunchException)
        {
            logger.LogWarning(ex, "Pod {PodId}: could not give back all it held of the node", Path.GetFileName(tracked.Directory.Root));
        }
    }

    private void OnSupervisorExit(string podId)
    {
        if (!pods.TryGetValue(podId, out var tracked))
        {
            return;
        }

        // A terminal's last output reaches the log before the pod's end is told: whoever reads to the end reads it all.
        if (tracked.Console is { } console)
        {
            _ = console.CloseAsync(ConsoleDrainWait).ContinueWith(_ => Finish(podId, tracked), TaskScheduler.Default);
            return;
        }

        Finish(podId, tracked);
    }

    private void Finish(string podId, TrackedPod tracked)
    {
        var end = tracked.Directory.ReadEnd();
        var change = end is { } e
            ? new PodStateChange(podId, e.Phase, e.Code, e.Reason, DateTimeOffset.UtcNow) { OutOfMemory = e.OutOfMemory }
            : new PodStateChange(podId, PodPhase.Failed, null, "the pod supervisor exited without recording an exit code", DateTimeOffset.UtcNow);
        // Given back before the end is known: whoever awaits the end may reuse the pod's port or ids at once.
        Release(tracked);
        if (tracked.Ended.TrySetResult(change))
        {
            Emit(change);
        }
    }

    // Recorded in the pod's directory too (unless its supervisor already did), so a restarted daemon reports the same reason.
    private void Fail(TrackedPod tracked, string reason)
    {
        tracked.Console?.Dispose();
        var failed = new PodStateChange(Path.GetFileName(tracked.Directory.Root), PodPhase.Failed, null, reason, DateTimeOffset.UtcNow);
        Release(tracked);
        if (!tracked.Ended.TrySetResult(failed))
        {
            return;
        }

        if (Directory.Exists(tracked.Directory.Root) && !File.Exists(tracked.Directory.Failure))
        {
            File.WriteAllText(tracked.Directory.Failure, reason + "\n");
        }

        Emit(failed);
    }

    private void Emit(PodStateChange change)
    {
        logger.LogDebug("Pod {PodId} {Phase}", change.PodId, change.Phase);
        changes.Writer.TryWrite(change);
    }

    private TrackedPod Tracked(string podId) => Find(podId) ?? throw new PodLaunchException($"pod {podId} is not on this node");

    // A pod an earlier process left, and nobody has recovered yet, is recovered on first use: stopping or removing
    // it must reach its processes even if RecoverAsync was never called.
    private TrackedPod? Find(string podId)
    {
        if (!PodDirectory.IsValidId(podId))
        {
            return null;
        }

        if (pods.TryGetValue(podId, out var tracked))
        {
            return tracked;
        }

        var pod = new PodDirectory(Path.Combine(podsDirectory, podId));
        if (!Directory.Exists(pod.Root))
        {
            return null;
        }

        Recover(podId, pod);
        return pods.GetValueOrDefault(podId);
    }

    private sealed class TrackedPod(PodDirectory directory)
    {
        public PodDirectory Directory { get; } = directory;

        public TaskCompletionSource<PodStateChange> Ended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Launched { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public PodProcesses? Processes { get; set; }

        public PodIsolation? Isolation { get; set; }

        public IReadOnlyList<PodPortForward> Ports { get; set; } = [];

        /// <summary>The first app's console, for a pod run with input or a terminal, while this daemon runs it.</summary>
        public PodConsoleRelay? Console { get; set; }

        /// <summary>The enter sessions this daemon started in the pod, by id.</summary>
        public ConcurrentDictionary<string, EnterSession> Sessions { get; } = new(StringComparer.Ordinal);

        private int released;

        /// <summary>True the first time only: what the pod held is given back once.</summary>
        public bool MarkReleased() => Interlocked.Exchange(ref released, 1) == 0;
    }
}
