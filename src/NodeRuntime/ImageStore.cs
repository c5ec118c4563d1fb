using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using FleetPods.NodeRuntime.Images;
using FleetPods.NodeRuntime.Images.Discovery;
using FleetPods.NodeRuntime.Images.Trust;
using FleetPods.NodeRuntime.Registry;
using Microsoft.Extensions.Logging;

namespace FleetPods.NodeRuntime;

/// <summary>
/// This node's images, content-addressed (rkt's CAS): blobs under their digests (<c>blobs/</c>), each layer's
/// tree extracted once (<c>layers/</c>) and shared by every pod of every image that has it, and one record per
/// image (<c>records/</c>). Every write goes to a temporary name and is renamed into place when complete, so a
/// crash leaves nothing half-made that a pod would use; leftovers are removed at start.
/// </summary>
public sealed class ImageStore
{
    private const string TemporaryPrefix = ".tmp-";
    private const int RegistryRetryAttempts = 6;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };
    private static readonly HttpClient Http = new() { Timeout = Timeout.InfiniteTimeSpan };

    private readonly string records;
    private readonly string scratch;
    private readonly long maxBytes;
    private readonly ILogger logger;
    private readonly BlobStore blobs;
    private readonly LayerCache layers;
    private readonly LayerBuilder layerBuilder;
    private readonly ConcurrentDictionary<string, ImageRecord> images = new(StringComparer.Ordinal);
    private readonly Lock removals = new();
    private readonly ConcurrentDictionary<string, int> importing = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task>> transfers = new(StringComparer.Ordinal);
    private readonly TimeSpan fetchRetryDelay;

    internal ImageStore(string directory, long maxBytes, TimeSpan fetchRetryDelay, ILogger logger)
    {
        this.maxBytes = maxBytes;
        this.fetchRetryDelay = fetchRetryDelay;
        this.logger = logger;
        const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        Directory.CreateDirectory(directory, OwnerOnly);
        records = Path.Combine(directory, "records");
        scratch = Path.Combine(directory, "scratch");
        if (Directory.Exists(scratch))
        {
            Directory.Delete(scratch, recursive: true);
        }

        Directory.CreateDirectory(scratch, OwnerOnly);
        Directory.CreateDirectory(records, OwnerOnly);
        foreach (var leftover in Directory.GetDirectories(records, TemporaryPrefix + "*"))
        {
            Directory.Delete(leftover, recursive: true);
        }

        blobs = new BlobStore(Path.Combine(directory, "blobs"));
        layerBuilder = new LayerBuilder(blobs, maxBytes);
        layers = new LayerCache(Path.Combine(directory, "layers"), logger);
        foreach (var record in Directory.GetDirectories(records).Select(d => Path.Combine(d, "image.json")).Where(File.Exists))
        {
            if (JsonSerializer.Deserialize<ImageRecord>(File.ReadAllBytes(record), Json) is { } image)
            {
                images[image.Digest] = image with { LastUsedAt = File.GetLastWriteTimeUtc(LastUsedFile(image.Digest)) };
            }
        }
    }

    /// <summary>How many layer trees this store has extracted since it was opened.</summary>
    internal int LayerExtractions => layers.Extractions;

    /// <summary>Where a layer's extracted tree is (it may not exist yet).</summary>
    internal string LayerTreeOf(ImageLayer layer) => Path.Combine(layers.PathOf(layer.Digest), "rootfs");

    public IReadOnlyList<ImageRecord> List() => [.. images.Values.OrderBy(i => i.Name, StringComparer.Ordinal).ThenBy(i => i.ImportedAt)];

    /// <summary>An image by exact digest, by name (the newest), or by name:version (its "version" label).</summary>
    public ImageRecord? Find(string nameOrDigest)
    {
        ArgumentNullException.ThrowIfNull(nameOrDigest);
        if (images.TryGetValue(nameOrDigest, out var byDigest))
        {
            return byDigest;
        }

        // docker://HOST/REPO[:TAG][@DIGEST]: a pulled image is stored by its manifest's digest, named HOST/REPO with the tag as its version.
        if (RegistryReference.IsRegistryReference(nameOrDigest))
        {
            var pulled = RegistryReference.TryParse(nameOrDigest);
            return pulled?.Digest is { } digest ? images.GetValueOrDefault(digest.ToString())
                : pulled is not null ? images.Values.Where(i => i.Name == pulled.Name && i.Labels.GetValueOrDefault("version") == pulled.Tag).MaxBy(i => i.ImportedAt)
                : null;
        }

        var colon = nameOrDigest.LastIndexOf(':');
        return images.Values.Where(i => i.Name == nameOrDigest).MaxBy(i => i.ImportedAt)
            ?? (colon > 0
                ? images.Values.Where(i => i.Name == nameOrDigest[..colon] && i.Labels.GetValueOrDefault("version") == nameOrDigest[(colon + 1)..]).MaxBy(i => i.ImportedAt)
                : null);
    }

    /// <summary>
    /// Imports an AppC image (an ACI: tar, tar.gz, tar.bz2 or tar.xz), an OCI image layout (a directory or a tar of
    /// one) or a docker archive. Every blob is verified against its digest while it is read, every layer is
    /// extracted once, and the image is recorded only when all of it is in place.
    /// </summary>
    /// <exception cref="ImageImportException">The input is not a usable image; no record of it was stored.</exception>
    public async Task<ImageRecord> ImportAsync(string path, ImageImportOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= new ImageImportOptions();
        var source = Path.GetFullPath(path);
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(source));
        var work = Path.Combine(scratch, Guid.NewGuid().ToString("N"));
        try
        {
            ImageRecord image;
            if (Directory.Exists(source))
            {
                image = await ImportPlan(await Task.Run(() => PlanDirectory(source, name, options), cancellationToken), options, cancellationToken);
            }
            else if (File.Exists(source))
            {
                var kind = await Task.Run(() => ImageSourceKinds.Detect(source, name), cancellationToken);
                image = kind == ImageSourceKind.Aci
                    ? await ImportAci(source, name, options, cancellationToken)
                    : await ImportPlan(await Task.Run(() => PlanArchive(source, name, kind, work, options), cancellationToken), options, cancellationToken);
            }
            else
            {
                throw new ImageImportException($"cannot read {path}: no such file or directory");
            }

            logger.LogInformation("Imported image {Name} {Digest} from {Source}", image.Name, image.Digest, source);
            return image;
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new ImageImportException($"cannot read {path}: {ex.Message}", ex);
        }
        finally
        {
            if (Directory.Exists(work))
            {
                Directory.Delete(work, recursive: true);
            }
        }
    }

    /// <summary>
    /// Downloads an image (http, https; a file URL is read in place) and imports it as <see cref="ImportAsync"/> does.
    /// Unless <paramref name="verification"/> is <see cref="ImageVerification.Skipped"/>, a downloaded image must be an
    /// ACI whose detached signature (the URL with <c>.asc</c>) is by a key trusted for its name; otherwise nothing
    /// of it is stored. A file URL is the admin's own file and is trusted as an import is. The file keeps the URL's
    /// file name, which names an OCI or docker image that has no name of its own.
    /// </summary>
    public async Task<ImageRecord> FetchAsync(
        Uri url, ImageVerification verification, ImageImportOptions? options = null, IProgress<ImageDownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(verification);
        if (url.IsFile)
        {
            return await ImportAsync(url.LocalPath, options, cancellationToken);
        }

        if (url.Scheme is not ("http" or "https"))
        {
            throw new ImageImportException($"{url}: only http, https and file URLs can be fetched");
        }

        return await DownloadAndImport(Http, url, SignedAci.SignatureBeside(url), [], verification, _ => { }, options ?? new ImageImportOptions(), progress, cancellationToken);
    }

    /// <summary>
    /// Fetches an ACI by AppC name through discovery (<c>example.com/app:1.0,os=linux</c>: the appc spec's
    /// <c>ac-discovery</c> meta tags at <c>https://NAME?ac-discovery=1</c> and its parents), checks its signature at the
    /// URL discovery names as <see cref="FetchAsync"/> does, and that its manifest has the name and labels asked for.
    /// </summary>
    /// <param name="caCertificatesPem">The CAs the discovery server's (and the storage's) certificates must chain to; null for the system's.</param>
    /// <exception cref="ImageImportException">The name is bad, nothing names the image, or the image is refused; nothing of it is stored.</exception>
    public async Task<ImageRecord> DiscoverAsync(
        string name, ImageVerification verification, string? caCertificatesPem, ImageImportOptions? options = null, IProgress<ImageDownloadProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(verification);
        var app = AppImageName.Parse(name);
        using var http = AppDiscovery.Client(caCertificatesPem);
        var found = await new AppDiscovery(http).DiscoverAsync(app, cancellationToken);
        logger.LogInformation("Discovered {Name} at {Image} (signature {Signature})", app, found.Image, found.Signature);
        return await DownloadAndImport(
            http, found.Image, found.Signature, found.PublicKeys, verification, manifest => DiscoveredManifest.Check(app, manifest, found.Image.ToString()), options ?? new ImageImportOptions(), progress, cancellationToken);
    }

    private async Task<ImageRecord> DownloadAndImport(
        HttpClient http, Uri url, Uri signature, IReadOnlyList<string> publisherKeys, ImageVerification verification, Action<AciManifest> checkManifest,
        ImageImportOptions options, IProgress<ImageDownloadProgress>? progress, CancellationToken cancellationToken)
    {
        var download = Path.Combine(scratch, "fetch-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(download);
        try
        {
            var name = Path.GetFileName(url.AbsolutePath) is { Length: > 0 } last && last is not ("." or "..") ? last : "image";
            var file = Path.Combine(download, name);
            try
            {
                await new ImageDownloader(http, maxBytes, fetchRetryDelay, logger).DownloadAsync(url, file, progress, cancellationToken);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException)
            {
                throw new ImageImportException($"cannot fetch {url}: {ex.Message}", ex);
            }

            if (!verification.Insecure)
            {
                checkManifest(await SignedAci.CheckAsync(http, file, url, signature, verification.Keys, publisherKeys, cancellationToken));
                logger.LogInformation("Image {Url} is signed by a key trusted for its name", url);
            }
            else if (ImageSourceKinds.Detect(file, url.ToString()) == ImageSourceKind.Aci)
            {
                checkManifest(AciArchiveManifest.Read(file, url.ToString()));
            }

            return await ImportAsync(file, options, cancellationToken);
        }
        finally
        {
            Directory.Delete(download, recursive: true);
        }
    }

    /// <summary>Whether <paramref name="text"/> is an AppC name for <see cref="DiscoverAsync"/> rather than a URL or a registry's image.</summary>
    public static bool IsAppName(string text) => AppImageName.IsAppName(text);

    /// <summary>Whether <paramref name="text"/> names a registry's image (<c>docker://</c>, <c>oci://</c>) for <see cref="PullAsync"/>.</summary>
    public static bool IsRegistryReference(string text) => RegistryReference.IsRegistryReference(text);

    /// <summary>
    /// Pulls <c>docker://HOST[:PORT]/REPO[:TAG|@DIGEST]</c> (<c>oci://</c> a synonym) through the OCI distribution API,
    /// from the registry's mirrors first: the reference is resolved once to a linux/amd64 manifest, whose digest is
    /// the image's id (so a tag moved later does not change what was pulled); layers the store holds are not
    /// downloaded again, the others are downloaded in parallel, each verified while it streams; then the image is
    /// imported as an OCI layout is.
    /// </summary>
    /// <exception cref="ImageImportException">The reference is bad, the registry refused or failed, or the image is not usable.</exception>
    public async Task<ImageRecord> PullAsync(
        string reference, RegistryPullOptions registry, ImageImportOptions? options = null, IProgress<ImageDownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var parsed = RegistryReference.Parse(reference);
        options ??= new ImageImportOptions();
        foreach (var mirror in registry.Mirrors.GetValueOrDefault(parsed.Registry) ?? [])
        {
            var what = $"mirror {mirror.GetLeftPart(UriPartial.Authority)} of {parsed.Registry}";
            try
            {
                // A mirror is another host: it gets none of the caller's credentials or CA, and one retry before the registry is asked.
                return await PullFrom(parsed, new RegistryClient(mirror, what, parsed.Repository, null, null, insecure: mirror.Scheme == "http"), 1, registry.StallTimeout, options, progress, cancellationToken);
            }
            catch (ImageImportException ex)
            {
                logger.LogWarning("Pulling {Reference} from {Mirror} failed, trying the next: {Error}", parsed, what, ex.Message);
            }
        }

        var origin = new Uri($"{(registry.Insecure ? "http" : "https")}://{parsed.Endpoint}/");
        var client = new RegistryClient(origin, $"registry {parsed.Registry}", parsed.Repository, registry.Credentials, registry.CaCertificatesPem, registry.Insecure);
        return await PullFrom(parsed, client, RegistryRetryAttempts, registry.StallTimeout, options, progress, cancellationToken);
    }

    /// <summary>
    /// The reference pinned to the digest of the linux/amd64 manifest it names now, asked of the registry itself (not
    /// its mirrors: what a tag names is the registry's word): <c>docker://HOST/REPO:TAG@sha256:…</c>.
    /// </summary>
    /// <exception cref="ImageImportException">The reference is bad, or the registry refused or failed.</exception>
    public async Task<string> ResolveAsync(string reference, RegistryPullOptions registry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var parsed = RegistryReference.Parse(reference);
        using var client = new RegistryClient(
            new Uri($"{(registry.Insecure ? "http" : "https")}://{parsed.Endpoint}/"), $"registry {parsed.Registry}", parsed.Repository, registry.Credentials, registry.CaCertificatesPem, registry.Insecure);
        try
        {
            var pull = new RegistryPull(client, parsed, blobs, maxBytes, DownloadRetries.Pipeline(RegistryRetryAttempts, fetchRetryDelay, client.What, logger), registry.StallTimeout);
            var digest = await pull.ResolveAsync(cancellationToken);
            return $"docker://{(parsed with { Digest = digest })}";
        }
        catch (HttpRequestException ex) when (ex.InnerException is System.Security.Authentication.AuthenticationException tls)
        {
            throw new ImageImportException($"{client.What}: no TLS connection: {tls.Message}; a registry on plain HTTP needs --insecure, one whose certificate a private CA signed --ca-file", ex);
        }
        catch (Exception ex) when (ex is HttpRequestException or HttpIOException)
        {
            throw new ImageImportException($"{client.What}: {ex.Message}", ex);
        }
        catch (TransientStatusException ex)
        {
            throw new ImageImportException(ex.Message, ex);
        }
    }

    private async Task<ImageRecord> PullFrom(
        RegistryReference reference, RegistryClient client, int retries, TimeSpan stallTimeout, ImageImportOptions options, IProgress<ImageDownloadProgress>? progress, CancellationToken cancellationToken)
    {
        var layout = Path.Combine(scratch, "pull-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(layout);
        try
        {
            var pull = new RegistryPull(client, reference, blobs, maxBytes, DownloadRetries.Pipeline(retries, fetchRetryDelay, client.What, logger), stallTimeout);
            var refName = await pull.WriteLayoutAsync(layout, cancellationToken);
            var plan = OciLayoutImporter.Plan(layout, reference.ToString(), options with { Reference = refName, Name = options.Name ?? reference.Name });
            var image = await ImportPlan(plan, options, cancellationToken, () => pull.FetchLayersAsync([.. plan.Layers.Where(l => !blobs.Contains(l.Blob))], progress, cancellationToken));
            logger.LogInformation("Pulled image {Name} {Digest} from {Registry}", image.Name, image.Digest, client.What);
            return image;
        }
        catch (HttpRequestException ex) when (ex.InnerException is System.Security.Authentication.AuthenticationException tls)
        {
            throw new ImageImportException(
                $"{client.What}: no TLS connection: {tls.Message}; a registry on plain HTTP needs --insecure, one whose certificate a private CA signed --ca-file", ex);
        }
        catch (Exception ex) when (ex is HttpRequestException or HttpIOException)
        {
            throw new ImageImportException($"{client.What}: {ex.Message}", ex);
        }
        catch (TransientStatusException ex)
        {
            throw new ImageImportException(ex.Message, ex);
        }
        finally
        {
            client.Dispose();
            Directory.Delete(layout, recursive: true);
        }
    }

    /// <summary>
    /// A piece of the archive another node imports this image from: what <see cref="ExportAsync"/> writes, made once
    /// and kept until the store is reopened.
    /// </summary>
    public async Task<(byte[] Data, long TotalBytes)> ReadTransferAsync(string digest, long offset, int maxBytes, CancellationToken cancellationToken = default)
    {
        var image = images.GetValueOrDefault(digest) ?? throw new ImageImportException($"no image {digest} in this node's store");
        var directory = Path.Combine(scratch, "transfers");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, image.Digest);
        await transfers.GetOrAdd(image.Digest, _ => new Lazy<Task>(() => ExportAsync(image.Digest, path, CancellationToken.None))).Value.WaitAsync(cancellationToken);

        await using var file = File.OpenRead(path);
        file.Seek(Math.Min(offset, file.Length), SeekOrigin.Begin);
        var buffer = new byte[(int)Math.Min(maxBytes, file.Length - file.Position)];
        var read = await file.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);
        return (buffer[..read], file.Length);
    }

    /// <summary>The image's manifest as stored: an ACI's manifest, an OCI manifest, or a docker archive's manifest entry.</summary>
    public byte[] ReadManifest(string nameOrDigest) => File.ReadAllBytes(Path.Combine(records, Require(nameOrDigest).Digest, "manifest"));

    /// <summary>
    /// Writes the image as an archive at <paramref name="target"/>: an ACI as the very archive imported, an OCI image
    /// as a tar of an OCI image layout (umoci and skopeo read it), a docker image as a docker archive (docker load
    /// and skopeo read it). Each imports again as the same image, digest and all.
    /// </summary>
    public async Task ExportAsync(string nameOrDigest, string target, CancellationToken cancellationToken = default)
    {
        var image = Require(nameOrDigest);
        target = Path.GetFullPath(target);
        if (File.Exists(target) || Directory.Exists(target))
        {
            throw new ImageImportException($"{target} already exists");
        }

        var temporary = Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.tmp-{Guid.NewGuid():N}");
        try
        {
            if (image.Format == ImageFormat.Aci)
            {
                await using var input = File.OpenRead(blobs.PathOf(ContentDigest.Parse(image.Digest, "image")));
                await using var output = File.Create(temporary);
                await input.CopyToAsync(output, cancellationToken);
            }
            else if (image.Format == ImageFormat.Oci)
            {
                await Task.Run(() => ImageArchiveWriter.WriteOciLayoutTar(image, blobs, temporary), cancellationToken);
            }
            else
            {
                await Task.Run(() => ImageArchiveWriter.WriteDockerArchive(image, blobs, temporary), cancellationToken);
            }

            File.Move(temporary, target);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ImageImportException($"cannot write {target}: {ex.Message}", ex);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Writes the image's merged tree (and, unless <paramref name="rootfsOnly"/>, its manifest) into a new directory, as rkt's image extract.</summary>
    public async Task ExtractAsync(string nameOrDigest, string target, bool rootfsOnly, CancellationToken cancellationToken = default)
    {
        var image = Require(nameOrDigest);
        target = Path.GetFullPath(target);
        if (File.Exists(target) || Directory.Exists(target))
        {
            throw new ImageImportException($"{target} already exists");
        }

        var lowers = await PrepareLayersAsync(image, cancellationToken);
        if (rootfsOnly)
        {
            await RootfsCopier.CopyAsync(lowers, target, scratch, cancellationToken);
            return;
        }

        Directory.CreateDirectory(target);
        await RootfsCopier.CopyAsync(lowers, Path.Combine(target, "rootfs"), scratch, cancellationToken);
        await File.WriteAllBytesAsync(Path.Combine(target, "manifest"), ReadManifest(image.Digest), cancellationToken);
    }

    /// <summary>
    /// The image's layer trees for an overlay mount, top first (overlayfs' lowerdir order), rebuilding from the
    /// stored blobs any that are missing; marks the image used now.
    /// </summary>
    internal async Task<IReadOnlyList<string>> PrepareLayersAsync(ImageRecord image, CancellationToken cancellationToken)
    {
        // Marked first: a garbage collection meanwhile sees it in use, though the pod has not recorded it yet.
        MarkUsed(image);
        var trees = new List<string>();
        foreach (var layer in image.Layers)
        {
            var digest = ContentDigest.Parse(layer.Digest, $"image {image.Name}");
            if (!layers.Contains(layer.Digest) && !blobs.Contains(digest))
            {
                throw new PodLaunchException($"image {image.Name}: layer {layer.Digest} is missing from the store; import the image again");
            }

            var source = new LayerSource(digest, blobs.PathOf(digest), null, layer.Kind, null, $"image {image.Name}: layer {layer.Digest}");
            trees.Add(Path.Combine(await layers.EnsureAsync(layer.Digest, tree => layerBuilder.Build(source, tree, maxBytes), cancellationToken), "rootfs"));
        }

        if (image.PathWhitelist.Count > 0)
        {
            var lowers = trees.ToList();
            var whitelist = await layers.EnsureAsync(
                "whitelist-" + image.Digest,
                tree => PathWhitelistLayer.Build(lowers, image.PathWhitelist, Path.Combine(tree, "rootfs")),
                cancellationToken);
            trees.Add(Path.Combine(whitelist, "rootfs"));
        }

        trees.Reverse();
        return trees;
    }

    /// <summary>Removes an image and the layers and blobs no other image shares.</summary>
    /// <exception cref="ImageImportException">No such image, or a pod on this node still uses it.</exception>
    internal ImageRecord Remove(string nameOrDigest, IReadOnlyCollection<string> usedByPods)
    {
        var image = Require(nameOrDigest);
        lock (removals)
        {
            if (usedByPods.Contains(image.Digest))
            {
                throw new ImageImportException($"image {image.Name} ({image.Digest}) is used by a pod on this node; remove the pod first");
            }

            Forget(image);
            Prune(null);
            return image;
        }
    }

    /// <summary>Removes images unused for longer than <paramref name="grace"/> and not used by a pod, then every unreferenced layer and blob.</summary>
    internal IReadOnlyList<ImageRecord> CollectGarbage(TimeSpan grace, IReadOnlyCollection<string> usedByPods)
    {
        lock (removals)
        {
            var cutoff = DateTimeOffset.UtcNow - grace;
            var removed = images.Values.Where(i => i.LastUsedAt < cutoff && !usedByPods.Contains(i.Digest)).ToList();
            removed.ForEach(Forget);
            Prune(null);
            return removed;
        }
    }

    private static ImagePlan PlanDirectory(string source, string name, ImageImportOptions options) =>
        File.Exists(Path.Combine(source, "oci-layout")) ? OciLayoutImporter.Plan(source, name, options)
        : throw new ImageImportException($"{name}: a directory must be an OCI image layout (oci-layout, index.json, blobs/)");

    private ImagePlan PlanArchive(string source, string name, ImageSourceKind kind, string work, ImageImportOptions options)
    {
        // The outer tar holds only small documents and layer files; it is unpacked with the same safe extractor as a
        // layer, then read as a directory.
        var unpacked = Path.Combine(work, "archive");
        using (var file = File.OpenRead(source))
        using (var tar = ArchiveCompression.Decompressing(file, ArchiveCompression.Detect(source)))
        {
            new TarTreeExtractor(name, maxBytes).Extract(tar, unpacked);
        }

        return kind == ImageSourceKind.OciLayoutTar
            ? OciLayoutImporter.Plan(unpacked, name, options)
            : DockerArchiveImporter.Plan(unpacked, name, options);
    }

    // A pull downloads its layers (first) while they are held from garbage collection, as an import's are.
    private Task<ImageRecord> ImportPlan(ImagePlan plan, ImageImportOptions options, CancellationToken cancellationToken, Func<Task>? first = null)
    {
        CheckPin(plan.Id, options);
        var keys = plan.Layers.Select(l => l.Blob.ToString()).Concat(plan.MetadataBlobs.Select(b => b.Key.ToString())).ToList();
        return WhileImporting(keys, async () =>
        {
            if (first is not null)
            {
                await first();
            }

            return await ImportLayers(plan, cancellationToken);
        });
    }

    /// <summary>
    /// Runs an import with its layers and blobs kept from garbage collection meanwhile; if it fails, removes those of
    /// them that no image (and no other import in progress) uses, so a refused image leaves nothing behind.
    /// </summary>
    private async Task<ImageRecord> WhileImporting(IReadOnlyList<string> keys, Func<Task<ImageRecord>> import)
    {
        foreach (var key in keys)
        {
            importing.AddOrUpdate(key, 1, (_, count) => count + 1);
        }

        var succeeded = false;
        try
        {
            var image = await import();
            succeeded = true;
            return image;
        }
        finally
        {
            foreach (var key in keys)
            {
                if (importing.AddOrUpdate(key, 0, (_, count) => count - 1) == 0)
                {
                    importing.TryRemove(KeyValuePair.Create(key, 0));
                }
            }

            if (!succeeded)
            {
                lock (removals)
                {
                    Prune(keys);
                }
            }
        }
    }

    private async Task<ImageRecord> ImportLayers(ImagePlan plan, CancellationToken cancellationToken)
    {
        var budget = maxBytes;
        var imageLayers = new List<ImageLayer>();
        foreach (var layer in plan.Layers)
        {
            var remaining = budget;
            var tree = await layers.EnsureAsync(layer.Blob.ToString(), t => layerBuilder.Build(layer, t, remaining), cancellationToken);
            var expanded = ReadExpandedSize(tree);
            budget -= expanded;
            if (budget < 0)
            {
                throw new ImageImportException($"{layer.What}: takes the image past its size limit of {maxBytes} bytes");
            }

            imageLayers.Add(new ImageLayer(layer.Blob.ToString(), ImageLayerKind.Changeset, expanded));
        }

        foreach (var (digest, bytes) in plan.MetadataBlobs.Where(b => !blobs.Contains(b.Key)))
        {
            var temporary = blobs.NewTemporaryPath();
            await File.WriteAllBytesAsync(temporary, bytes, cancellationToken);
            blobs.Commit(temporary, digest);
        }

        var size = plan.Layers.Sum(l => blobs.SizeOf(l.Blob)) + plan.MetadataBlobs.Sum(b => b.Value.Length);
        var record = new ImageRecord(plan.Id.ToString(), plan.Name, plan.Labels, size, plan.App, DateTimeOffset.UtcNow)
        {
            Format = plan.Format,
            Layers = imageLayers,
        };
        return await Record(record, plan.Manifest, cancellationToken);
    }

    private async Task<ImageRecord> ImportAci(string source, string name, ImageImportOptions options, CancellationToken cancellationToken)
    {
        var length = new FileInfo(source).Length;
        if (length > maxBytes)
        {
            throw new ImageImportException($"{name}: larger than the limit of {maxBytes} bytes");
        }

        ContentDigest digest;
        await using (var file = File.OpenRead(source))
        {
            digest = new ContentDigest("sha512", Convert.ToHexStringLower(await SHA512.HashDataAsync(file, cancellationToken)));
        }

        CheckPin(digest, options);
        return await WhileImporting([digest.ToString()], () => ImportAciLayer(source, name, digest, length, cancellationToken));
    }

    private async Task<ImageRecord> ImportAciLayer(string source, string name, ContentDigest digest, long length, CancellationToken cancellationToken)
    {
        var layer = new LayerSource(digest, source, length, ImageLayerKind.Aci, null, name);
        var tree = await layers.EnsureAsync(digest.ToString(), t => layerBuilder.Build(layer, t, maxBytes), cancellationToken);
        var manifestBytes = await File.ReadAllBytesAsync(Path.Combine(tree, "manifest"), cancellationToken);
        var manifest = AciManifest.Parse(manifestBytes, name);
        var below = manifest.Dependencies.SelectMany(d => ResolveDependency(d, name).Layers).ToList();
        var record = new ImageRecord(digest.ToString(), manifest.Name, manifest.Labels, length, manifest.App, DateTimeOffset.UtcNow)
        {
            Format = ImageFormat.Aci,
            Layers = [.. below, new ImageLayer(digest.ToString(), ImageLayerKind.Aci, ReadExpandedSize(tree))],
            PathWhitelist = manifest.PathWhitelist,
        };
        return await Record(record, manifestBytes, cancellationToken);
    }

    private ImageRecord ResolveDependency(AciDependency dependency, string name)
    {
        var found = dependency.ImageId is { } id
            ? images.GetValueOrDefault(id)
            : images.Values
                .Where(i => i.Name == dependency.ImageName && dependency.Labels.All(l => i.Labels.GetValueOrDefault(l.Key) == l.Value))
                .MaxBy(i => i.ImportedAt);
        var labels = string.Concat(dependency.Labels.Select(l => $",{l.Key}={l.Value}"));
        return found ?? throw new ImageImportException(
            $"{name}: dependency {dependency.ImageName}{labels}{(dependency.ImageId is null ? "" : " " + dependency.ImageId)} is not in this node's store; import it first");
    }

    private static void CheckPin(ContentDigest actual, ImageImportOptions options)
    {
        if (options.ExpectedDigest is { } pinned && pinned != actual.ToString() && pinned != actual.OciForm)
        {
            throw new ImageImportException($"the image is {actual}, not the pinned {pinned}");
        }
    }

    private static long ReadExpandedSize(string tree) =>
        long.TryParse(File.ReadAllText(Path.Combine(tree, "size")), System.Globalization.CultureInfo.InvariantCulture, out var size) ? size : 0;

    private async Task<ImageRecord> Record(ImageRecord image, byte[] manifest, CancellationToken cancellationToken)
    {
        var final = Path.Combine(records, image.Digest);
        if (images.TryGetValue(image.Digest, out var known))
        {
            return known;
        }

        var temporary = Path.Combine(records, TemporaryPrefix + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(temporary);
        await File.WriteAllBytesAsync(Path.Combine(temporary, "manifest"), manifest, cancellationToken);
        await File.WriteAllBytesAsync(Path.Combine(temporary, "image.json"), JsonSerializer.SerializeToUtf8Bytes(image with { LastUsedAt = default }, Json), cancellationToken);
        await File.WriteAllBytesAsync(Path.Combine(temporary, "last-used"), [], cancellationToken);
        try
        {
            Directory.Move(temporary, final);
        }
        catch (IOException) when (Directory.Exists(final))
        {
            // Another import of the same image finished first; its record is the same.
            Directory.Delete(temporary, recursive: true);
        }

        return images.GetOrAdd(image.Digest, image with { LastUsedAt = File.GetLastWriteTimeUtc(LastUsedFile(image.Digest)) });
    }

    private void MarkUsed(ImageRecord image)
    {
        var now = DateTime.UtcNow;
        File.SetLastWriteTimeUtc(LastUsedFile(image.Digest), now);
        images[image.Digest] = image with { LastUsedAt = now };
    }

    private string LastUsedFile(string digest) => Path.Combine(records, digest, "last-used");

    private ImageRecord Require(string nameOrDigest) =>
        Find(nameOrDigest) ?? throw new ImageImportException($"no image {nameOrDigest} in this node's store");

    private void Forget(ImageRecord image)
    {
        images.TryRemove(image.Digest, out _);
        var doomed = Path.Combine(records, TemporaryPrefix + Guid.NewGuid().ToString("N"));
        Directory.Move(Path.Combine(records, image.Digest), doomed);
        Directory.Delete(doomed, recursive: true);
        if (transfers.TryRemove(image.Digest, out _))
        {
            File.Delete(Path.Combine(scratch, "transfers", image.Digest));
        }

        logger.LogInformation("Removed image {Name} {Digest}", image.Name, image.Digest);
    }

    // Layers and blobs (all, or just the candidates) that no image names and no import in progress holds go: what
    // removed images left, what a refused import left, and what a crashed import left.
    private void Prune(IReadOnlyCollection<string>? candidates)
    {
        var wanted = images.Values.SelectMany(i => i.Layers.Select(l => l.Digest).Append("whitelist-" + i.Digest)).ToHashSet(StringComparer.Ordinal);
        var wantedBlobs = images.Values.SelectMany(i => MetadataBlobsOf(i).Concat(i.Layers.Select(l => l.Digest))).ToHashSet(StringComparer.Ordinal);
        bool Doomed(string key, HashSet<string> kept) => !kept.Contains(key) && !importing.ContainsKey(key) && (candidates is null || candidates.Contains(key));
        foreach (var key in layers.Keys().Where(k => Doomed(k, wanted)).ToList())
        {
            layers.Remove(key);
        }

        foreach (var blob in blobs.List().Where(b => Doomed(b.ToString(), wantedBlobs)).ToList())
        {
            blobs.Delete(blob);
        }
    }

    private IEnumerable<string> MetadataBlobsOf(ImageRecord image)
    {
        if (image.Format == ImageFormat.Aci)
        {
            return [];
        }

        var manifest = ImageJson.Parse(ReadManifest(image.Digest), image.Name);
        return image.Format == ImageFormat.Oci
            ? [image.Digest, ContentDigest.Parse(ImageJson.String(manifest.GetProperty("config"), "digest") ?? "", image.Name).ToString()]
            : [image.Digest];
    }
}
