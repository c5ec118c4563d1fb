using System.Collections.Concurrent;
using FleetPods.Grains;
using FleetPods.Grains.Images;
using FleetPods.Grains.Security;
using FleetPods.Security;

namespace FleetPods.Silo;

/// <summary>
/// An agent's own image store, answered in its daemon: no silo carries an agent, so no image store grain reaches its
/// store (<see cref="IImageStoreGrain"/> lives on its node's silo). Its own API reaches it through this, with the
/// image store grain's contract and checks; the cluster's image records do not list an agent's images, so no other node
/// tries to pull from it.
/// </summary>
internal sealed class AgentImageStore(DaemonOptions options, ILocalImageStore store, IGrainFactory grains) : IImageStoreGrain
{
    private const int TransferChunkBytes = 1 << 20;
    private readonly ConcurrentDictionary<string, ImageFetchProgress> fetches = new(StringComparer.Ordinal);

    public Task<ImageInfo> Import(ImageImportRequest request) => store.Import(request);

    public async Task<ImageInfo> Fetch(ImageFetchRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);

        // As the image store grain: a file:// URL is a path the root daemon would read on the caller's behalf.
        if (Uri.TryCreate(request.Url, UriKind.Absolute, out var url) && url.IsFile && CallerContext.Current is { } caller && !caller.Holds(Role.Admin))
        {
            throw new AccessDeniedException($"fetching a file:// URL needs the admin role (the daemon would read a path of the node's); you are {caller.Name} ({caller.Role.ToString().ToLowerInvariant()})", Role.Admin);
        }

        var trusted = request.InsecureImage ? [] : await grains.GetGrain<ITrustGrain>(ITrustGrain.Cluster).List();
        fetches[request.FetchId] = new ImageFetchProgress(0, null, 1);
        try
        {
            return await store.Fetch(request, trusted, new InlineProgress<ImageFetchProgress>(p => fetches[request.FetchId] = p));
        }
        finally
        {
            fetches.TryRemove(request.FetchId, out _);
        }
    }

    public Task<ImageFetchProgress?> GetFetchProgress(string fetchId) => Task.FromResult(fetches.GetValueOrDefault(fetchId));

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

    public Task<ImageTransferChunk> ReadTransfer(string digest, long offset, int maxBytes) => store.ReadTransfer(digest, offset, Math.Min(maxBytes, TransferChunkBytes));
}
