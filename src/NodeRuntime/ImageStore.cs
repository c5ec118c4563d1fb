using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using FleetPods.NodeRuntime.Images;

namespace FleetPods.NodeRuntime;

/// <summary>
/// This node's images, content-addressed: an AppC image is stored under the sha512 of its archive, as appc
/// names it (<c>sha512-…</c>), with its tree extracted once. An import works in a private temporary directory
/// and renames the finished tree into place, so a crash never leaves a half tree that a pod would use.
/// </summary>
public sealed class ImageStore
{
    private const string TemporaryPrefix = ".tmp-";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly string directory;
    private readonly long maxBytes;
    private readonly ConcurrentDictionary<string, ImageRecord> images = new(StringComparer.Ordinal);

    internal ImageStore(string directory, long maxBytes)
    {
        this.directory = directory;
        this.maxBytes = maxBytes;
        Directory.CreateDirectory(directory);
        foreach (var leftover in Directory.GetDirectories(directory, TemporaryPrefix + "*"))
        {
            Directory.Delete(leftover, recursive: true);
        }

        foreach (var record in Directory.GetDirectories(directory).Select(d => Path.Combine(d, "image.json")).Where(File.Exists))
        {
            var image = JsonSerializer.Deserialize<ImageRecord>(File.ReadAllBytes(record), Json);
            if (image is not null)
            {
                images[image.Digest] = image;
            }
        }
    }

    /// <summary>The root filesystem of an image in the store.</summary>
    internal string RootfsOf(string digest) => Path.Combine(directory, digest, "rootfs");

    public IReadOnlyList<ImageRecord> List() => [.. images.Values.OrderBy(i => i.Name, StringComparer.Ordinal)];

    /// <summary>An image by exact digest, by name, or by name:version (its "version" label).</summary>
    public ImageRecord? Find(string nameOrDigest)
    {
        ArgumentNullException.ThrowIfNull(nameOrDigest);
        if (images.TryGetValue(nameOrDigest, out var byDigest))
        {
            return byDigest;
        }

        var colon = nameOrDigest.LastIndexOf(':');
        return images.Values.Where(i => i.Name == nameOrDigest).MaxBy(i => i.ImportedAt)
            ?? (colon > 0
                ? images.Values.FirstOrDefault(i => i.Name == nameOrDigest[..colon] && i.Labels.GetValueOrDefault("version") == nameOrDigest[(colon + 1)..])
                : null);
    }

    /// <summary>Imports an AppC image (an ACI: a tar, optionally compressed, with <c>manifest</c> and <c>rootfs/</c>).</summary>
    /// <exception cref="ImageImportException">The archive is not a usable image; nothing was stored.</exception>
    public async Task<ImageRecord> ImportAsync(string archivePath, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(archivePath);
        var name = Path.GetFileName(archivePath);
        var work = Path.Combine(directory, TemporaryPrefix + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        try
        {
            var blob = Path.Combine(work, "archive");
            var digest = await CopyAndHash(archivePath, blob, cancellationToken);
            if (images.TryGetValue(digest, out var known))
            {
                return known;
            }

            var tree = Path.Combine(work, "tree");
            await Task.Run(
                () =>
                {
                    using var archive = File.OpenRead(blob);
                    new TarTreeExtractor(name, maxBytes).Extract(archive, tree);
                },
                cancellationToken);

            var manifestPath = Path.Combine(tree, "manifest");
            if (!File.Exists(manifestPath) || new FileInfo(manifestPath).LinkTarget is not null)
            {
                throw new ImageImportException($"{name}: no manifest at the top of the archive; an ACI holds 'manifest' and 'rootfs/'");
            }

            if (!Directory.Exists(Path.Combine(tree, "rootfs")) || new DirectoryInfo(Path.Combine(tree, "rootfs")).LinkTarget is not null)
            {
                throw new ImageImportException($"{name}: no rootfs/ directory in the archive");
            }

            var manifest = AciManifest.Parse(await File.ReadAllBytesAsync(manifestPath, cancellationToken), name);
            var image = new ImageRecord(digest, manifest.Name, manifest.Labels, new FileInfo(blob).Length, manifest.App, DateTimeOffset.UtcNow);
            await File.WriteAllBytesAsync(Path.Combine(tree, "image.json"), JsonSerializer.SerializeToUtf8Bytes(image, Json), cancellationToken);
            try
            {
                Directory.Move(tree, Path.Combine(directory, digest));
            }
            catch (IOException) when (Directory.Exists(Path.Combine(directory, digest)))
            {
                // Another import of the same archive finished first; its tree is the same.
            }

            return images.GetOrAdd(digest, image);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private async Task<string> CopyAndHash(string source, string target, CancellationToken cancellationToken)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA512);
        try
        {
            await using var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
            await using var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
            var buffer = new byte[1 << 16];
            long total = 0;
            int read;
            while ((read = await input.ReadAsync(buffer, cancellationToken)) > 0)
            {
                total += read;
                if (total > maxBytes)
                {
                    throw new ImageImportException($"{Path.GetFileName(source)}: larger than the limit of {maxBytes} bytes");
                }

                sha.AppendData(buffer, 0, read);
                await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            throw new ImageImportException($"cannot read {source}: {ex.Message}", ex);
        }

        return "sha512-" + Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
