using FleetPods.Grains;
using FleetPods.Grains.Images;

namespace FleetPods.Silo;

/// <summary>
/// An agent's own image store, answered in its daemon: no silo carries an agent, so no image store grain reaches its
/// store (<see cref="IImageStoreGrain"/> lives on its node's silo). Its own API reaches it through this, with the
/// image store grain's contract and checks; the cluster's image records do not list an agent's images, so no other node
/// tries to pull from it.
/// </summary>
internal sealed class AgentImageStore(DaemonOptions options, ILocalImageStore store, IGrainFactory grains) : IImageStoreGrain
{
    private readonly NodeImageFetches fetches = new(store);

    public Task<ImageInfo> Import(ImageImportRequest request) => store.Import(request);

    public Task<ImageInfo> Fetch(ImageFetchRequest request) => fetches.Fetch(request, grains);

    public Task<ImageFetchProgress?> GetFetchProgress(string fetchId) => Task.FromResult(fetches.Progress(fetchId));

    public Task<IReadOnlyList<StoredImage>> List() => Task.FromResult(store.List());

    public Task<StoredImage> Remove(string image) => Task.FromResult(store.Remove(image));

    public Task<IReadOnlyList<StoredImage>> CollectGarbage(TimeSpan gracePeriod) => Task.FromResult(store.CollectGarbage(gracePeriod));

    public Task Export(string image, string path) => store.Export(image, path);

    public Task Extract(string image, string path, bool rootfsOnly) => store.Extract(image, path, rootfsOnly);

    public Task<byte[]> ReadManifest(string image) => Task.FromResult(store.ReadManifest(image));

    // An agent's pods use what its store holds (LocalNodeRuntime.RunPod); it pulls from no other node.
    public Task EnsureImage(string reference) => store.Find(reference) is not null
        ? Task.CompletedTask
        : throw new FleetPodsException($"image '{reference}' is not in the store of agent node {options.NodeName}; import or fetch it on that node");

    public Task<ImageTransferChunk> ReadTransfer(string digest, long offset, int maxBytes) => store.ReadTransfer(digest, offset, Math.Min(maxBytes, NodeImageFetches.TransferChunkBytes));
}
