using System.Collections.Concurrent;
using FleetPods.Grains.Security;
using FleetPods.Security;

namespace FleetPods.Grains.Images;

/// <summary>
/// Fetches into one node's own store for a caller, as every image store of a node answers them (the image store grain
/// of a silo's node, an agent's own store): who may fetch a file:// URL, the cluster's keys a signed image is checked
/// against (the node reads none of its own), and each fetch's progress by its id while it runs.
/// </summary>
internal sealed class NodeImageFetches(ILocalImageStore store)
{
    /// <summary>The most a peer is sent of a layer in one transfer call.</summary>
    public const int TransferChunkBytes = 1 << 20;

    private readonly ConcurrentDictionary<string, ImageFetchProgress> fetches = new(StringComparer.Ordinal);

    public async Task<ImageInfo> Fetch(ImageFetchRequest request, IGrainFactory grains)
    {
        ArgumentNullException.ThrowIfNull(request);

        // A file:// URL is a path the root daemon would read on the caller's behalf (any file of the node's).
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

    public ImageFetchProgress? Progress(string fetchId) => fetches.GetValueOrDefault(fetchId);
}
