using System.Collections.Concurrent;

namespace FleetPods.Grains.Tests.Cluster;

/// <summary>
/// A test double of one machine for grain tests: it records what the node grain asks and reports pod
/// states back the way the real node agent does, so the grains' part of the flow is tested without a kernel.
/// The real runtime is proven by the NodeRuntime and end-to-end suites. Its reports are stamped by the silo's
/// clock, so a test on a fake clock sees pods start and end at the fake time.
/// </summary>
public sealed class FakeLocalNode(string nodeName, IGrainFactory grains, TimeProvider time) : INodeAgent
{
    public string NodeName => nodeName;

    public ConcurrentDictionary<string, PodSpec> Launched { get; } = new();

    /// <summary>Whether its pods reach running (its launches answer so); false: a runtime still preparing every pod it takes.</summary>
    public bool StartsPods { get; set; } = true;

    public Task<RuntimePod> RunPod(string podId, PodSpec spec)
    {
        Launched[podId] = spec;
        return Task.FromResult(new RuntimePod(podId, StartsPods ? PodPhase.Running : PodPhase.Preparing, null, null, time.GetUtcNow()));
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

    /// <summary>A fake launches nothing, so it writes no manifest.</summary>
    public Task<string?> ReadPodManifest(string podId) => Task.FromResult<string?>(null);

    /// <summary>Every piece of input handed to a pod (or one of its sessions) here, in the order it came.</summary>
    public ConcurrentQueue<(string PodId, string? Session, string Data, bool End)> Input { get; } = new();

    /// <summary>Every terminal size given to a pod (or one of its sessions) here, in the order it came.</summary>
    public ConcurrentQueue<(string PodId, string? Session, TerminalSize Size)> Resizes { get; } = new();

    /// <summary>Every enter session started here, by id: a fake's sessions run nothing and end at once with exit code 0.</summary>
    public ConcurrentDictionary<string, (string PodId, PodEnterRequest Request)> Sessions { get; } = new();

    public Task WritePodInput(string podId, string? session, byte[] data, bool endOfInput)
    {
        Input.Enqueue((podId, session, System.Text.Encoding.UTF8.GetString(data), endOfInput));
        return Task.CompletedTask;
    }

    public Task ResizePodTerminal(string podId, string? session, TerminalSize size)
    {
        Resizes.Enqueue((podId, session, size));
        return Task.CompletedTask;
    }

    public Task<string> StartPodSession(string podId, PodEnterRequest request)
    {
        var id = Guid.NewGuid().ToString("N");
        Sessions[id] = (podId, request);
        return Task.FromResult(id);
    }

    public Task<PodSessionOutput> ReadPodSessionOutput(string podId, string session, long offset, int maxBytes) =>
        Task.FromResult(new PodSessionOutput(offset, [], offset, 0));

    public Task EndPodSession(string podId, string session) => Task.CompletedTask;

    public Task<IReadOnlyList<string>> CollectPodGarbage(TimeSpan gracePeriod) => Task.FromResult<IReadOnlyList<string>>([]);

    /// <summary>Ends a launched pod as its app would, with <paramref name="code"/>.</summary>
    public Task Exit(string podId, int code) => Report(podId, PodPhase.Exited, code);

    private Task Report(string podId, PodPhase phase, int? code) =>
        grains.GetGrain<IPodGrain>(podId).ReportState(new PodStateReport(nodeName, phase, code, null, time.GetUtcNow()));
}
