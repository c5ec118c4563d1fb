namespace FleetPods.Grains.Nodes;

/// <summary>
/// The machine of the silo the node grain lives on (<see cref="LocalNode"/>): its pods' images first through the
/// node's image store grain (an agent fetches its own), then the pods.
/// </summary>
internal sealed class SiloNodeDriver(INodeAgent machine, IImageStoreGrain images) : INodeAgent, INodeDriver
{
    public INodeAgent Machine => this;

    // Every app's image, not only the [Pod] app's: an [App] image that only another node holds is pulled too. In
    // parallel, since each is a transfer of its own from whichever node holds it, the store is safe under concurrent
    // use (a layer two images share is extracted once), and the pod waits for the slowest image, not for their sum.
    // The machine is in this process, so what it refuses (an image on no node, a pod it will not run) is known before
    // it waits for the pod: taken only after that.
    public async Task<Task<RuntimePod>> Take(string podId, PodSpec spec)
    {
        await Task.WhenAll(spec.Pod.Apps.Select(a => a.Image).Prepend(spec.Pod.Image).Distinct(StringComparer.Ordinal).Select(images.EnsureImage));
        var answer = machine.RunPod(podId, spec);
        if (answer.IsFaulted)
        {
            await answer;
        }

        return answer;
    }

    public async Task<RuntimePod> RunPod(string podId, PodSpec spec) => await await Take(podId, spec);

    public Task<PodStateReport> StopPod(string podId, TimeSpan grace) => machine.StopPod(podId, grace);

    public Task RemovePod(string podId, TimeSpan grace) => machine.RemovePod(podId, grace);

    public Task<PodLog> ReadPodLog(string podId, long offset, int maxBytes) => machine.ReadPodLog(podId, offset, maxBytes);

    public Task<string?> ReadPodManifest(string podId) => machine.ReadPodManifest(podId);

    public Task WritePodInput(string podId, string? session, byte[] data, bool endOfInput) => machine.WritePodInput(podId, session, data, endOfInput);

    public Task ResizePodTerminal(string podId, string? session, TerminalSize size) => machine.ResizePodTerminal(podId, session, size);

    public Task<string> StartPodSession(string podId, PodEnterRequest request) => machine.StartPodSession(podId, request);

    public Task<PodSessionOutput> ReadPodSessionOutput(string podId, string session, long offset, int maxBytes) =>
        machine.ReadPodSessionOutput(podId, session, offset, maxBytes);

    public Task EndPodSession(string podId, string session) => machine.EndPodSession(podId, session);

    public Task<IReadOnlyList<string>> CollectPodGarbage(TimeSpan gracePeriod) => machine.CollectPodGarbage(gracePeriod);
}
