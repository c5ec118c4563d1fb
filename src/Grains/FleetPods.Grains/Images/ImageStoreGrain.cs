using FleetPods.Grains.Cluster;
using FleetPods.Grains.Placement;
using FleetPods.Grains.ImageRegistries;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace FleetPods.Grains.Images;

/// <summary>
/// A node's image store, on the node's own silo. It keeps the cluster's record of who holds what (the image
/// grains) in step with the machine, and pulls a missing image from a node that holds it. Reentrant: it holds no
/// state of its own, and the machine's store is safe under concurrent use.
/// </summary>
[NodePlacement]
[Reentrant]
public sealed class ImageStoreGrain(ILocalImageStore store, ILogger<ImageStoreGrain> logger) : Grain, IImageStoreGrain
{
    private readonly NodeImageFetches fetches = new(store);

    private string Node => this.GetPrimaryKeyString();

    async Task<ImageInfo> IImageStoreGrain.Import(ImageImportRequest request) => await Recorded(await store.Import(request));

    async Task<ImageInfo> IImageStoreGrain.Fetch(ImageFetchRequest request) => await Recorded(await fetches.Fetch(request, GrainFactory));

    Task<ImageFetchProgress?> IImageStoreGrain.GetFetchProgress(string fetchId) => Task.FromResult(fetches.Progress(fetchId));

    Task<IReadOnlyList<StoredImage>> IImageStoreGrain.List() => Task.FromResult(store.List());

    async Task<StoredImage> IImageStoreGrain.Remove(string image)
    {
        var removed = store.Remove(image);
        await GrainFactory.GetGrain<IImageGrain>(removed.Digest).RemoveHolder(Node);
        return removed;
    }

    async Task<IReadOnlyList<StoredImage>> IImageStoreGrain.CollectGarbage(TimeSpan gracePeriod)
    {
        var removed = store.CollectGarbage(gracePeriod);
        await Task.WhenAll(removed.Select(i => GrainFactory.GetGrain<IImageGrain>(i.Digest).RemoveHolder(Node)));
        return removed;
    }

    Task IImageStoreGrain.Export(string image, string path) => store.Export(image, path);

    Task IImageStoreGrain.Extract(string image, string path, bool rootfsOnly) => store.Extract(image, path, rootfsOnly);

    Task<byte[]> IImageStoreGrain.ReadManifest(string image) => Task.FromResult(store.ReadManifest(image));

    async Task IImageStoreGrain.EnsureImage(string reference)
    {
        if (store.Find(reference) is not null)
        {
            return;
        }

        // A unit's docker:// image (pinned to a digest at submit) comes from its registry, with the cluster's pull secret for it.
        if (RegistryHost.Of(reference) is { } host)
        {
            var secret = await GrainFactory.GetGrain<IPullSecretSource>(IPullSecretGrain.Cluster).Find(host);
            logger.LogInformation("Pulling image {Image} from its registry{With}", reference, secret is null ? "" : " with the pull secret of " + host);
            var request = new ImageFetchRequest(
                reference, Guid.NewGuid().ToString("N"), Auth: secret is null ? null : new RegistryAuth(secret.Username, secret.Password), CaCertificates: secret?.CaCertificates, Insecure: secret?.Insecure ?? false);
            await Recorded(await store.Fetch(request, [], new InlineProgress<ImageFetchProgress>(_ => { })));
            return;
        }

        var digests = await new KeyRegistry(GrainFactory, RegistryKind.Images).List();
        var known = (await Task.WhenAll(digests.Select(d => GrainFactory.GetGrain<IImageGrain>(d).GetInfo()))).OfType<ImageInfo>();
        var source = known.Where(i => i.IsNamedBy(reference) && i.Nodes.Any(n => n != Node)).MaxBy(i => i.ImportedAt)
            ?? throw new FleetPodsException($"image '{reference}' is on no node of the cluster; import it with 'fleetpods image import' or 'fleetpods image fetch'");
        // A holder may have left the cluster since it recorded the image: the next one is asked.
        var errors = new List<string>();
        foreach (var holder in source.Nodes.Where(n => n != Node))
        {
            logger.LogInformation("Pulling image {Image} {Digest} from node {Holder}", source.Name, source.Digest, holder);
            var peer = GrainFactory.GetGrain<IImageStoreGrain>(holder);
            try
            {
                await Recorded(await store.ImportTransfer(source.Digest, offset => peer.ReadTransfer(source.Digest, offset, NodeImageFetches.TransferChunkBytes)));
                return;
            }
            catch (Exception ex) when (UnansweredCall.Is(ex))
            {
                logger.LogWarning("Pulling image {Digest} from node {Holder} failed: {Error}", source.Digest, holder, ex.Message);
                errors.Add($"{holder}: {ex.Message}");
            }
        }

        throw new FleetPodsException($"image '{reference}' could not be pulled from any node that holds it ({string.Join("; ", errors)})");
    }

    Task<ImageTransferChunk> IImageStoreGrain.ReadTransfer(string digest, long offset, int maxBytes) =>
        store.ReadTransfer(digest, offset, Math.Min(maxBytes, NodeImageFetches.TransferChunkBytes));

    private async Task<ImageInfo> Recorded(ImageInfo image)
    {
        await new KeyRegistry(GrainFactory, RegistryKind.Images).Add(image.Digest);
        return await GrainFactory.GetGrain<IImageGrain>(image.Digest).RecordHolder(image, Node);
    }
}
