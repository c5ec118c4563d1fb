namespace FleetPods.Grains.Nodes;

/// <summary>
/// The machine of the silo the node grain lives on (<see cref="LocalNode"/>): its pods' images first through the
/// node's image store grain (an agent fetches its own), then the pods. Every other call goes to the machine as it is.
/// </summary>
internal sealed class SiloNodeDriver(INodeAgent machine, IImageStoreGrain images) : INodeDriver
{
    public INodeAgent Machine => machine;

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
}
