using FleetPods.Grains;
using FleetPods.Grains.Nodes;
using FleetPods.Grains.Security;
using FleetPods.NodeRuntime;
using Microsoft.Extensions.Logging;

namespace FleetPods.Silo;

/// <summary>
/// Binds the node grain's narrow <see cref="LocalNode"/> boundary to this machine's NodeRuntime. The runtime's
/// own exceptions do not cross into the cluster: they become <see cref="FleetPodsException"/> with their message.
/// </summary>
public sealed class LocalNodeRuntime(DaemonOptions options, PodRuntime runtime, LaunchAnswers answers, ILogger<LocalNodeRuntime> logger) : INodeAgent
{
    public string NodeName => options.NodeName;

    public async Task<RuntimePod> RunPod(string podId, PodSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);

        // A silo's node grain checked the pod in this process. An agent's node grain is on a server: the node's last
        // word is said again here, under this machine's policy file, with host paths resolved on this machine.
        if (options.Mode == DaemonMode.Agent)
        {
            spec = PodAdmissionCheck.OnNode(spec, options.PodPolicy, NodeName);
        }

        var digests = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in spec.Pod.Apps.Select(a => a.Image).Prepend(spec.Pod.Image))
        {
            digests[name] = runtime.Images.Find(name)?.Digest
                ?? throw new FleetPodsException($"image '{name}' is not in the store of node {NodeName}; import it with 'fleetpods image import'");
        }

        var request = PodLaunchRequests.From(podId, spec, digests);
        var answer = answers.Expect(podId);

        // The launch outlives this call: preparing a rootfs may take long. It runs off the caller's scheduler; the pod is
        // known to the runtime before the call waits for it to run, so a stop that follows finds it.
        var known = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = Task.Run(async () =>
        {
            try
            {
                var launch = runtime.StartPodAsync(request);
                known.SetResult();
                await launch;
            }
            catch (PodLaunchException ex)
            {
                logger.LogDebug("Pod {PodId} did not start: {Reason}", podId, ex.Message);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Pod {PodId} launch crashed", podId);
            }
        });
        await known.Task;
        return await answers.Answer(podId, answer) is { } change
            ? NodeAgent.ToRuntimePod(change)
            : new RuntimePod(podId, Grains.PodPhase.Preparing, null, null, DateTimeOffset.UtcNow);
    }

    public async Task<PodStateReport> StopPod(string podId, TimeSpan grace)
    {
        try
        {
            return NodeAgent.ToReport(NodeName, await runtime.StopPodAsync(podId, grace));
        }
        catch (PodLaunchException ex)
        {
            throw new FleetPodsException(ex.Message);
        }
    }

    public Task RemovePod(string podId, TimeSpan grace) => runtime.RemovePodAsync(podId);

    public async Task<PodLog> ReadPodLog(string podId, long offset, int maxBytes)
    {
        try
        {
            var chunk = await runtime.ReadLogAsync(podId, offset, maxBytes);
            return new PodLog(offset, chunk.Data, chunk.NextOffset, chunk.Complete);
        }
        catch (PodLaunchException)
        {
            // A pod that never ran on this node has written nothing, and never will.
            return new PodLog(offset, [], offset, true);
        }
    }

    public async Task<string?> ReadPodManifest(string podId)
    {
        try
        {
            return await runtime.ReadManifestAsync(podId);
        }
        catch (PodLaunchException)
        {
            // Not a pod of this node (any more): it has no manifest here.
            return null;
        }
    }

    public Task WritePodInput(string podId, string? session, byte[] data, bool endOfInput) =>
        Translated(() => runtime.WriteInputAsync(podId, session, data, endOfInput));

    public Task ResizePodTerminal(string podId, string? session, TerminalSize size)
    {
        ArgumentNullException.ThrowIfNull(size);
        return Translated(() =>
        {
            runtime.ResizeTerminal(podId, session, new PodTerminalSize(size.Rows, size.Columns));
            return Task.CompletedTask;
        });
    }

    public async Task<string> StartPodSession(string podId, PodEnterRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var console = request.Console;
        var session = new EnterSessionRequest(
            request.App,
            request.Command,
            console.Input,
            console.Terminal is { } size ? new PodTerminalSize(size.Rows, size.Columns) : null,
            request.TerminalType is { } term ? [KeyValuePair.Create("TERM", term)] : []);
        return await Translated(() => runtime.StartSessionAsync(podId, session));
    }

    public async Task<PodSessionOutput> ReadPodSessionOutput(string podId, string session, long offset, int maxBytes)
    {
        var output = await Translated(() => runtime.ReadSessionOutputAsync(podId, session, offset, maxBytes));
        return new PodSessionOutput(offset, output.Data, output.NextOffset, output.ExitCode);
    }

    public Task EndPodSession(string podId, string session) => Translated(() =>
    {
        runtime.EndSession(podId, session);
        return Task.CompletedTask;
    });

    public Task<IReadOnlyList<string>> CollectPodGarbage(TimeSpan gracePeriod) => runtime.CollectPodGarbageAsync(gracePeriod);

    // The runtime's refusals cross into the cluster as the grains' own exception, with their message.
    private static async Task<T> Translated<T>(Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (PodLaunchException ex)
        {
            throw new FleetPodsException(ex.Message);
        }
    }

    private static Task<bool> Translated(Func<Task> action) => Translated(async () =>
    {
        await action();
        return true;
    });
}
