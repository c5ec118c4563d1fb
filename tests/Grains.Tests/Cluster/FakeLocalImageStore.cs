using System.Collections.Concurrent;
using FleetPods.Grains.Images;

namespace FleetPods.Grains.Tests.Cluster;

/// <summary>
/// A test double of one machine's image store for grain tests. Every image a pod names is present unless it was
/// marked missing; imports are recorded as archives of bytes, so a pull between two nodes can be checked byte
/// for byte. The real store is proven by the NodeRuntime and end-to-end suites.
/// </summary>
public sealed class FakeLocalImageStore(string nodeName) : ILocalImageStore
{
    public ConcurrentDictionary<string, byte[]> Archives { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, bool> Missing { get; } = new(StringComparer.Ordinal);

    public static ImageInfo Describe(string name, string digest) =>
        new(digest, name, new Dictionary<string, string> { ["version"] = "1.0" }, 1024, ["/bin/true"], DateTimeOffset.UtcNow, []);

    public Task<ImageInfo> Import(ImageImportRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var digest = "sha512-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA512.HashData(System.Text.Encoding.UTF8.GetBytes(request.Source)));
        var image = Describe(Path.GetFileNameWithoutExtension(request.Source), digest);
        Archives[image.Digest] = System.Text.Encoding.UTF8.GetBytes(request.Source);
        return Task.FromResult(image);
    }

    /// <summary>The keys each fetch was handed to check its image against, by URL.</summary>
    public ConcurrentDictionary<string, IReadOnlyList<TrustedKey>> FetchedWithKeys { get; } = new(StringComparer.Ordinal);

    /// <summary>Every fetch asked of this node, in order.</summary>
    public ConcurrentQueue<ImageFetchRequest> FetchRequests { get; } = new();

    public Task<ImageInfo> Fetch(ImageFetchRequest request, IReadOnlyList<TrustedKey> trustedKeys, IProgress<ImageFetchProgress> progress)
    {
        ArgumentNullException.ThrowIfNull(request);
        FetchedWithKeys[request.Url] = trustedKeys;
        FetchRequests.Enqueue(request);
        return Import(new ImageImportRequest(request.Url));
    }

    /// <summary>The digest each registry reference's tag names, as a registry would answer; with the secret each pin was asked with.</summary>
    public ConcurrentDictionary<string, string> RegistryTags { get; } = new(StringComparer.Ordinal);

    public ConcurrentQueue<(string Reference, RegistryPullSecret? Secret)> Pins { get; } = new();

    public Task<string> Pin(string reference, RegistryPullSecret? secret)
    {
        ArgumentNullException.ThrowIfNull(reference);
        Pins.Enqueue((reference, secret));
        return RegistryTags.TryGetValue(reference, out var digest)
            ? Task.FromResult($"{reference}@{digest}")
            : throw new FleetPodsException($"registry: {reference}: manifest unknown");
    }

    public IReadOnlyList<StoredImage> List() => [];

    public string? Find(string reference) => Missing.ContainsKey(reference) ? null : reference;

    public StoredImage Remove(string image) => throw new NotSupportedException();

    public IReadOnlyList<StoredImage> CollectGarbage(TimeSpan gracePeriod) => [];

    public Task Export(string image, string path) => throw new NotSupportedException();

    public Task Extract(string image, string path, bool rootfsOnly) => throw new NotSupportedException();

    public byte[] ReadManifest(string image) => throw new NotSupportedException();

    public async Task<ImageInfo> ImportTransfer(string digest, Func<long, Task<ImageTransferChunk>> readChunk)
    {
        ArgumentNullException.ThrowIfNull(readChunk);
        using var received = new MemoryStream();
        ImageTransferChunk chunk;
        do
        {
            chunk = await readChunk(received.Length);
            received.Write(chunk.Data);
        }
        while (chunk.Data.Length > 0 && received.Length < chunk.TotalBytes);

        Archives[digest] = received.ToArray();
        foreach (var name in Missing.Keys)
        {
            Missing.TryRemove(name, out _);
        }

        return Describe($"pulled-by-{nodeName}", digest);
    }

    public Task<ImageTransferChunk> ReadTransfer(string digest, long offset, int maxBytes)
    {
        var archive = Archives[digest];
        var start = (int)Math.Min(offset, archive.Length);
        return Task.FromResult(new ImageTransferChunk(archive[start..Math.Min(archive.Length, start + maxBytes)], archive.Length));
    }
}
