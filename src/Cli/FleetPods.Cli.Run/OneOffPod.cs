using FleetPods.Grains;

namespace FleetPods.Cli;

/// <summary>
/// A pod of <c>fleetpods run</c>: placed and started at once, its output streamed while it runs, its exit code the
/// command's. Cancelling (Ctrl-C) stops the pod and gives 130, as a shell reports SIGINT.
/// </summary>
public static class OneOffPod
{
    public const int Interrupted = 130;
    private const int Failure = 1;
    private const int LogChunkBytes = 256 * 1024;

    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);

    /// <summary>Runs <paramref name="spec"/> and writes its output to <paramref name="output"/>; returns its exit code.</summary>
    /// <exception cref="CliException">The pod cannot be placed, or it failed (the message says why).</exception>
    public static Task<int> Run(IGrainFactory grains, PodSpec spec, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> output, CancellationToken cancellationToken) =>
        Run(grains, spec, output, placed: null, cancellationToken);

    /// <inheritdoc cref="Run(IGrainFactory, PodSpec, Func{ReadOnlyMemory{byte}, CancellationToken, ValueTask}, CancellationToken)"/>
    /// <param name="placed">Told the pod once it has a node, before any output (the API names the pod to its caller).</param>
    public static async Task<int> Run(
        IGrainFactory grains, PodSpec spec, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> output, Func<PodStatus, ValueTask>? placed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(output);
        var pod = grains.GetGrain<IPodGrain>(Guid.NewGuid().ToString());
        var status = await pod.Create(spec, null, start: true, requiredNode: null);
        if (status.NodeName is null)
        {
            throw new CliException($"pod {status.Id} cannot be placed: {status.Reason}{ImagesHint(spec)}");
        }

        try
        {
            if (placed is not null)
            {
                await placed(status);
            }

            return await Follow(pod, spec, output, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await pod.Stop(StopGrace);
            return Interrupted;
        }
    }

    private static async Task<int> Follow(IPodGrain pod, PodSpec spec, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> output, CancellationToken cancellationToken)
    {
        long offset = 0;
        var polling = new OutputPolling();
        while (true)
        {
            var log = await pod.ReadLog(offset, LogChunkBytes);
            if (log.Data.Length > 0)
            {
                await output(log.Data, cancellationToken);
                cancellationToken.ThrowIfCancellationRequested();
                offset = log.NextOffset;
                polling.Reset();
                continue;
            }

            var status = await pod.GetStatus() ?? throw new CliException("the pod vanished");
            if (status.HasEnded && (log.Complete || status.Phase == PodPhase.Failed))
            {
                if (status.Phase == PodPhase.Failed)
                {
                    throw new CliException($"pod {status.Id} failed: {status.Reason}{ImagesHint(spec)}");
                }

                return status.ExitCode ?? Failure;
            }

            await polling.Wait(cancellationToken);
        }
    }

    // Several images and no command: the words were all taken as images (RunCommandLine), which a failure may owe to a
    // command given without -- before it.
    private static string ImagesHint(PodSpec spec) =>
        spec.Pod is { Apps.Count: > 0, Exec: null } pod
            ? $" (run took {string.Join(", ", [pod.Image, .. pod.Apps.Select(a => a.Image)])} as images; a command goes after --)"
            : "";
}
