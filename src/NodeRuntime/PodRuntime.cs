using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using FleetPods.NodeRuntime.Images;
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
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly TimeSpan KillWait = TimeSpan.FromSeconds(30);

    private readonly string podsDirectory;
    private readonly ILogger<PodRuntime> logger;
    private readonly NamespaceLauncher launcher;
    private readonly PodExitWatcher watcher = new();
    private readonly Channel<PodStateChange> changes = Channel.CreateUnbounded<PodStateChange>();
    private readonly ConcurrentDictionary<string, TrackedPod> pods = new(StringComparer.Ordinal);

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
        Directory.CreateDirectory(podsDirectory);
        Images = new ImageStore(Path.Combine(data, "images"), options.MaxImageSizeBytes);
        launcher = new NamespaceLauncher(options.ShimPath ?? NamespaceLauncher.DefaultShimPath);
    }

    public ImageStore Images { get; }

    /// <summary>Every phase change of every pod on this node, in order per pod.</summary>
    public ChannelReader<PodStateChange> StateChanges => changes.Reader;

    /// <summary>True when this runtime launched or recovered the pod (running or ended).</summary>
    public bool Knows(string podId) => pods.ContainsKey(podId);

    /// <summary>
    /// Finds the pods an earlier process launched on this data directory and returns each one's real state
    /// now; running ones are watched again, and their ends arrive on <see cref="StateChanges"/>.
    /// </summary>
    public Task<IReadOnlyList<PodStateChange>> RecoverAsync(CancellationToken cancellationToken = default)
    {
        var found = new List<PodStateChange>();
        foreach (var root in Directory.GetDirectories(podsDirectory))
        {
            var id = Path.GetFileName(root);
            if (!PodDirectory.IsValidId(id) || pods.ContainsKey(id))
            {
                continue;
            }

            var pod = new PodDirectory(root);
            var tracked = pods.GetOrAdd(id, _ => new TrackedPod(pod));
            var now = DateTimeOffset.UtcNow;
            if (pod.ReadEnd() is { } end)
            {
                var change = new PodStateChange(id, end.Phase, end.Code, end.Reason, now);
                tracked.Ended.TrySetResult(change);
                found.Add(change);
            }
            else if (pod.ReadPids() is { } pids && IsSupervisorOf(pids.Shim, pod))
            {
                tracked.AppPid = pids.App;
                tracked.Launched.TrySetResult();
                found.Add(new PodStateChange(id, PodPhase.Running, null, null, now));
                if (!watcher.Watch(pids.Shim, () => OnSupervisorExit(id)))
                {
                    OnSupervisorExit(id);
                }
            }
            else
            {
                var reason = pod.ReadPids() is null
                    ? "lost: the daemon stopped before the pod started"
                    : "lost: the pod supervisor is gone without recording an exit code";
                var change = new PodStateChange(id, PodPhase.Failed, null, reason, now);
                tracked.Ended.TrySetResult(change);
                found.Add(change);
            }
        }

        logger.LogInformation("Recovered {Count} pods from {Directory}", found.Count, podsDirectory);
        return Task.FromResult<IReadOnlyList<PodStateChange>>(found);
    }

    /// <summary>
    /// Renders the pod's rootfs and launches it; emits Preparing, then Running or Failed. The pod is known to
    /// this runtime (<see cref="Knows"/>, <see cref="StopPodAsync"/>) from the moment the returned task exists.
    /// </summary>
    /// <exception cref="PodLaunchException">The pod could not start; Failed with the same reason was emitted.</exception>
    public async Task StartPodAsync(PodLaunchRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!PodDirectory.IsValidId(request.PodId))
        {
            throw new PodLaunchException($"pod id '{request.PodId}' is not of [a-z0-9-]");
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
            var plan = await Prepare(request, pod, cancellationToken);
            var pids = await launcher.Launch(pod, plan, cancellationToken);
            if (pids is null || File.Exists(pod.Failure))
            {
                // The pod ends once its supervisor is gone, not before: until then it still writes its records.
                if (pids is null || !watcher.Watch(pids.Value.Shim, () => OnSupervisorExit(request.PodId)))
                {
                    OnSupervisorExit(request.PodId);
                }

                var end = await tracked.Ended.Task.WaitAsync(KillWait, cancellationToken);
                throw new PodLaunchException(end.Reason ?? "the pod ended before it ran");
            }

            tracked.AppPid = pids.Value.App;
            tracked.Launched.TrySetResult();
            Emit(new PodStateChange(request.PodId, PodPhase.Running, null, null, DateTimeOffset.UtcNow));
            if (!watcher.Watch(pids.Value.Shim, () => OnSupervisorExit(request.PodId)))
            {
                OnSupervisorExit(request.PodId);
            }
        }
        catch (Exception ex) when (ex is PodLaunchException or IOException or UnauthorizedAccessException)
        {
            var failed = new PodStateChange(request.PodId, PodPhase.Failed, null, ex.Message, DateTimeOffset.UtcNow);
            if (tracked.Ended.TrySetResult(failed))
            {
                Emit(failed);
            }

            throw ex as PodLaunchException ?? new PodLaunchException(ex.Message, ex);
        }
    }

    /// <summary>SIGTERM to the app, SIGKILL after <paramref name="grace"/>; returns the pod's end.</summary>
    public async Task<PodStateChange> StopPodAsync(string podId, TimeSpan grace, CancellationToken cancellationToken = default)
    {
        var tracked = Tracked(podId);
        if (tracked.Ended.Task.IsCompleted)
        {
            return await tracked.Ended.Task;
        }

        // A stop that overtakes the launch waits for it: the pod must not start after it was stopped.
        await Task.WhenAny(tracked.Launched.Task, tracked.Ended.Task).WaitAsync(KillWait, cancellationToken);
        if (tracked.Ended.Task.IsCompleted)
        {
            return await tracked.Ended.Task;
        }

        var app = tracked.AppPid!.Value;
        Signal(app, LibC.SIGTERM);
        try
        {
            return await tracked.Ended.Task.WaitAsync(grace, cancellationToken);
        }
        catch (TimeoutException)
        {
            Signal(app, LibC.SIGKILL);
            return await tracked.Ended.Task.WaitAsync(KillWait, cancellationToken);
        }
    }

    public async Task<PodLogChunk> ReadLogAsync(string podId, long offset, int maxBytes, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        var tracked = Tracked(podId);
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

    /// <summary>Kills the pod if it runs and deletes its directory. A pod this node never ran is a no-op.</summary>
    public async Task RemovePodAsync(string podId, CancellationToken cancellationToken = default)
    {
        if (!PodDirectory.IsValidId(podId) || !pods.TryGetValue(podId, out var tracked))
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
    }

    public ValueTask DisposeAsync()
    {
        watcher.Dispose();
        changes.Writer.TryComplete();
        return ValueTask.CompletedTask;
    }

    private async Task<PodLaunchPlan> Prepare(PodLaunchRequest request, PodDirectory pod, CancellationToken cancellationToken)
    {
        var unsupported = request switch
        {
            { Stage1: not Stage1Flavor.Ns } => $"stage1 '{request.Stage1.ToString().ToLowerInvariant()}' is not available yet on this node",
            { PrivateUsers: true } => "PrivateUsers= is not available yet on this node",
            { VolumeCount: > 0 } => "Volume= is not available yet on this node",
            { PortCount: > 0 } => "Port= is not available yet on this node",
            _ => null,
        };
        if (unsupported is not null)
        {
            throw new PodLaunchException(unsupported);
        }

        var image = Images.Find(request.ImageDigest)
            ?? throw new PodLaunchException($"image {request.ImageDigest} is not in this node's store");
        var plan = PodLaunchPlan.Resolve(request, image, Images.RootfsOf(image.Digest));
        Directory.CreateDirectory(pod.Root);
        Directory.CreateDirectory(pod.Upper);
        Directory.CreateDirectory(pod.Work);
        if (!request.Overlay)
        {
            await CopyTree(Images.RootfsOf(image.Digest), pod.Rootfs, cancellationToken);
            plan = plan with { CopiedRootfs = pod.Rootfs };
        }

        await File.WriteAllBytesAsync(pod.Record, JsonSerializer.SerializeToUtf8Bytes(new PodRecord(request, plan.Exec, DateTimeOffset.UtcNow), Json), cancellationToken);
        return plan;
    }

    // GNU cp keeps owners, modes, links and times exactly as the image has them; no package does this better.
    private static async Task CopyTree(string source, string target, CancellationToken cancellationToken)
    {
        var copy = new ProcessStartInfo("cp") { RedirectStandardError = true, ArgumentList = { "-a", "--reflink=auto", "--", source, target } };
        using var process = Process.Start(copy)!;
        var error = await process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new PodLaunchException($"copying the image tree failed: {error.Trim()}");
        }
    }

    private void OnSupervisorExit(string podId)
    {
        if (!pods.TryGetValue(podId, out var tracked))
        {
            return;
        }

        var end = tracked.Directory.ReadEnd();
        var change = end is { } e
            ? new PodStateChange(podId, e.Phase, e.Code, e.Reason, DateTimeOffset.UtcNow)
            : new PodStateChange(podId, PodPhase.Failed, null, "the pod supervisor exited without recording an exit code", DateTimeOffset.UtcNow);
        if (tracked.Ended.TrySetResult(change))
        {
            Emit(change);
        }
    }

    private void Emit(PodStateChange change)
    {
        logger.LogDebug("Pod {PodId} {Phase}", change.PodId, change.Phase);
        changes.Writer.TryWrite(change);
    }

    private TrackedPod Tracked(string podId) =>
        PodDirectory.IsValidId(podId) && pods.TryGetValue(podId, out var tracked)
            ? tracked
            : throw new PodLaunchException($"pod {podId} is not on this node");

    private static void Signal(int pid, int signal)
    {
        if (LibC.kill(pid, signal) != 0 && LibC.errno != LibC.ESRCH)
        {
            throw new PodLaunchException($"cannot signal pod process {pid}: errno {LibC.errno}");
        }
    }

    // /proc/PID/cmdline of our supervisor names its pod directory; a reused pid will not.
    private static bool IsSupervisorOf(int pid, PodDirectory pod)
    {
        try
        {
            var arguments = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0');
            var index = Array.IndexOf(arguments, "--pod-dir");
            return index >= 0 && index + 1 < arguments.Length && arguments[index + 1] == pod.Root;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private sealed class TrackedPod(PodDirectory directory)
    {
        public PodDirectory Directory { get; } = directory;

        public TaskCompletionSource<PodStateChange> Ended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Launched { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int? AppPid { get; set; }
    }
}
