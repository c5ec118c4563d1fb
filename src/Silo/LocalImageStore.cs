using FleetPods.Grains;
using FleetPods.Grains.Images;
using FleetPods.NodeRuntime;
using FleetPods.NodeRuntime.Images.Trust;

namespace FleetPods.Silo;

/// <summary>
/// Binds the image store grain's <see cref="ILocalImageStore"/> boundary to this machine's store. The store's own
/// errors do not cross into the cluster: they become <see cref="FleetPodsException"/> naming this node.
/// </summary>
public sealed class LocalImageStore(DaemonOptions options, PodRuntime runtime) : ILocalImageStore
{
    private ImageStore Store => runtime.Images;

    public async Task<ImageInfo> Import(ImageImportRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Describe(await Guarded($"cannot import {request.Source}", () => Store.ImportAsync(request.Source, OptionsOf(request.Reference, request.Name, request.ExpectedDigest))));
    }

    public async Task<ImageInfo> Fetch(ImageFetchRequest request, IReadOnlyList<TrustedKey> trustedKeys, IProgress<ImageFetchProgress> progress)
    {
        ArgumentNullException.ThrowIfNull(request);
        var report = new InlineProgress<ImageDownloadProgress>(p => progress.Report(new ImageFetchProgress(
            p.ReceivedBytes, p.TotalBytes, p.Attempt, p.Layers.Count == 0 ? null : [.. p.Layers.Select(l => new LayerFetchProgress(l.Digest, l.ReceivedBytes, l.TotalBytes, l.Attempt))])));
        if (ImageStore.IsRegistryReference(request.Url))
        {
            var registry = new RegistryPullOptions
            {
                Credentials = request.Auth is { } auth ? new RegistryCredentials(auth.Username, auth.Password) : null,
                CaCertificatesPem = request.CaCertificates,
                Insecure = request.Insecure,
                Mirrors = options.RegistryMirrors,
            };
            return Describe(await Guarded($"cannot pull {request.Url}", () => Store.PullAsync(request.Url, registry, OptionsOf(request.Reference, request.Name, request.ExpectedDigest), report)));
        }

        var verification = request.InsecureImage ? ImageVerification.Skipped : ImageVerification.By([.. trustedKeys.Select(k => new TrustedSigningKey(k.Prefix, k.ArmoredKey))]);
        if (request.Auth is not null || request.Insecure)
        {
            throw new FleetPodsException($"'{request.Url}': credentials and --insecure are for docker:// and oci:// references");
        }

        if (ImageStore.IsAppName(request.Url))
        {
            return Describe(await Guarded(
                $"cannot fetch {request.Url}", () => Store.DiscoverAsync(request.Url, verification, request.CaCertificates, OptionsOf(request.Reference, request.Name, request.ExpectedDigest), report)));
        }

        if (request.CaCertificates is not null)
        {
            throw new FleetPodsException($"'{request.Url}': a CA file is for docker:// and oci:// references and discovered names");
        }

        if (!Uri.TryCreate(request.Url, UriKind.Absolute, out var url))
        {
            throw new FleetPodsException($"'{request.Url}' is not an absolute URL (http://, https:// or file://), a docker:// reference or an AppC name");
        }

        return Describe(await Guarded($"cannot fetch {request.Url}", () => Store.FetchAsync(url, verification, OptionsOf(request.Reference, request.Name, request.ExpectedDigest), report)));
    }

    public async Task<string> Pin(string reference, RegistryPullSecret? secret)
    {
        var registry = new RegistryPullOptions
        {
            Credentials = secret is null ? null : new RegistryCredentials(secret.Username, secret.Password),
            CaCertificatesPem = secret?.CaCertificates,
            Insecure = secret?.Insecure ?? false,
        };
        return await Guarded($"cannot resolve {reference}", () => Store.ResolveAsync(reference, registry));
    }

    public IReadOnlyList<StoredImage> List() => [.. Store.List().Select(Stored)];

    public string? Find(string reference) => Store.Find(reference)?.Digest;

    public StoredImage Remove(string image) => Stored(Guarded($"cannot remove {image}", () => runtime.RemoveImage(image)));

    public IReadOnlyList<StoredImage> CollectGarbage(TimeSpan gracePeriod) => [.. runtime.CollectImageGarbage(gracePeriod).Select(Stored)];

    public Task Export(string image, string path) => Guarded($"cannot export {image}", () => Store.ExportAsync(image, path));

    public Task Extract(string image, string path, bool rootfsOnly) => Guarded($"cannot extract {image}", () => Store.ExtractAsync(image, path, rootfsOnly));

    public byte[] ReadManifest(string image) => Guarded($"cannot read the manifest of {image}", () => Store.ReadManifest(image));

    public async Task<ImageInfo> ImportTransfer(string digest, Func<long, Task<ImageTransferChunk>> readChunk)
    {
        ArgumentNullException.ThrowIfNull(readChunk);
        var download = Directory.CreateTempSubdirectory("fleetpods-pull-");
        try
        {
            var file = Path.Combine(download.FullName, "image");
            await using (var output = File.Create(file))
            {
                ImageTransferChunk chunk;
                do
                {
                    chunk = await readChunk(output.Length);
                    await output.WriteAsync(chunk.Data);
                }
                while (chunk.Data.Length > 0 && output.Length < chunk.TotalBytes);
            }

            return Describe(await Guarded($"cannot pull image {digest}", () => Store.ImportAsync(file, new ImageImportOptions { ExpectedDigest = digest })));
        }
        finally
        {
            download.Delete(recursive: true);
        }
    }

    public async Task<ImageTransferChunk> ReadTransfer(string digest, long offset, int maxBytes)
    {
        var (data, total) = await Guarded($"cannot serve image {digest}", () => Store.ReadTransferAsync(digest, offset, maxBytes));
        return new ImageTransferChunk(data, total);
    }

    private static ImageImportOptions OptionsOf(string? reference, string? name, string? digest) =>
        new() { Reference = reference, Name = name, ExpectedDigest = digest };

    private static ImageInfo Describe(ImageRecord image) =>
        new(image.Digest, image.Name, image.Labels, image.SizeBytes, image.App?.Exec is { Count: > 0 } exec ? exec : null, image.ImportedAt, []);

    private StoredImage Stored(ImageRecord image) =>
        new(options.NodeName, image.Digest, image.Name, image.Labels, FormatName(image.Format), image.SizeBytes, image.ImportedAt, image.LastUsedAt);

    private static string FormatName(ImageFormat format) => format switch
    {
        ImageFormat.Aci => "aci",
        ImageFormat.Oci => "oci",
        _ => "docker-archive",
    };

    private T Guarded<T>(string what, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception ex) when (ex is ImageImportException or PodLaunchException or IOException or UnauthorizedAccessException)
        {
            throw new FleetPodsException($"{what} on node {options.NodeName}: {ex.Message}");
        }
    }

    private async Task<T> Guarded<T>(string what, Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception ex) when (ex is ImageImportException or PodLaunchException or IOException or UnauthorizedAccessException)
        {
            throw new FleetPodsException($"{what} on node {options.NodeName}: {ex.Message}");
        }
    }

    private async Task Guarded(string what, Func<Task> action) => await Guarded(what, async () =>
    {
        await action();
        return true;
    });
}
