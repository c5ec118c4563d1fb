using System.Collections.Concurrent;
using FleetPods.Grains.Nodes;

namespace FleetPods.Grains.Tests.Cluster;

/// <summary>
/// A test double of one machine for grain tests: it records what the node grain asks and reports pod
/// states back the way the real node agent does, so the grains' part of the flow is tested without a kernel.
/// The real runtime is proven by the NodeRuntime and end-to-end suites. Its reports are stamped by the silo's
/// clock, so a test on a fake clock sees pods start and end at the fake time.
/// </summary>
public sealed class FakeLocalNode(string nodeName, IGrainFactory grains, TimeProvider time) : ILocalNode
{
    public string NodeName => nodeName;

    public ConcurrentDictionary<string, PodSpec> Launched { get; } = new();

    public Task RunPod(string podId, PodSpec spec)
    {
        Launched[podId] = spec;
        _ = Task.Run(async () =>
        {
            await Report(podId, PodPhase.Preparing, null);
            await Report(podId, PodPhase.Running, null);
        });
        return Task.CompletedTask;
    }

    public Task<PodStateReport> StopPod(string podId, TimeSpan grace) =>
        Task.FromResult(new PodStateReport(nodeName, PodPhase.Exited, 143, null, time.GetUtcNow()));

    public Task RemovePod(string podId, TimeSpan grace)
    {
        Launched.TryRemove(podId, out _);
        return Task.CompletedTask;
    }

    public Task<PodLog> ReadPodLog(string podId, long offset, int maxBytes) =>
        Task.FromResult(new PodLog(offset, [], offset, true));

    /// <summary>Every piece of input handed to a pod here, in the order it came.</summary>
    public ConcurrentQueue<(string PodId, string Data, bool End)> Input { get; } = new();

    /// <summary>Every terminal size given to a pod here, in the order it came.</summary>
    public ConcurrentQueue<(string PodId, TerminalSize Size)> Resizes { get; } = new();

    public Task WritePodInput(string podId, ReadOnlyMemory<byte> data, bool endOfInput)
    {
        Input.Enqueue((podId, System.Text.Encoding.UTF8.GetString(data.Span), endOfInput));
        return Task.CompletedTask;
    }

    public Task ResizePodTerminal(string podId, TerminalSize size)
    {
        Resizes.Enqueue((podId, size));
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<string>> EnterCommand(string podId, string? app) =>
        Task.FromResult<IReadOnlyList<string>>(["fleetpods-shim", "--enter", podId, "--app", app ?? "app"]);

    public Task<IReadOnlyList<string>> CollectPodGarbage(TimeSpan gracePeriod) => Task.FromResult<IReadOnlyList<string>>([]);

    /// <summary>Ends a launched pod as its app would, with <paramref name="code"/>.</summary>
    public Task Exit(string podId, int code) => Report(podId, PodPhase.Exited, code);

    private Task Report(string podId, PodPhase phase, int? code) =>
        grains.GetGrain<IPodGrain>(podId).ReportState(new PodStateReport(nodeName, phase, code, null, time.GetUtcNow()));
}
