using System.Security.Cryptography;
using System.Text.Json;
using FleetPods.NodeRuntime.Images;
using Polly;

namespace FleetPods.NodeRuntime.Registry;

/// <summary>
/// One image from one registry (or mirror): the reference resolved to a single linux/amd64 manifest, written with
/// its config as an OCI image layout that the store's one OCI reader (<see cref="OciLayoutImporter"/>) plans from,
/// and the layers the store lacks downloaded straight into its blob store, a bounded number at a time.
/// </summary>
internal sealed class RegistryPull(RegistryClient client, RegistryReference reference, BlobStore blobs, long maxBytes, ResiliencePipeline retries, TimeSpan stallTimeout)
{
    /// <summary>Layers downloaded at once, as docker's default of 3 concurrent downloads.</summary>
    public const int ParallelLayers = 3;

    private const string RefNameAnnotation = "org.opencontainers.image.ref.name";

    private readonly BlobFetch fetch = new(client, reference.Repository, blobs, maxBytes, retries, stallTimeout);

    /// <summary>
    /// The digest of the linux/amd64 manifest the reference names now (an index's entry for this platform): what a
    /// unit records, so that every node of it pulls the same image however the tag moves later.
    /// </summary>
    public async Task<ContentDigest> ResolveAsync(CancellationToken cancellationToken)
    {
        var (bytes, mediaType, digest) = await GetManifest(reference.ManifestReference, reference.Digest, cancellationToken);
        if (!ManifestSelection.IsIndex(mediaType))
        {
            return digest;
        }

        var entry = ManifestSelection.ForThisNode(ImageJson.Parse(bytes, $"{client.What}: {reference}: index"), $"{client.What}: {reference}");
        return ContentDigest.Parse(ImageJson.String(entry, "digest") ?? "", $"{client.What}: {reference}: index entry");
    }

    /// <summary>
    /// Writes the OCI layout of the resolved manifest into <paramref name="layout"/> and returns the ref name it
    /// gave the manifest there: the tag, or the digest asked for when there is no tag.
    /// </summary>
    public async Task<string> WriteLayoutAsync(string layout, CancellationToken cancellationToken)
    {
        var (bytes, mediaType, digest) = await GetManifest(reference.ManifestReference, reference.Digest, cancellationToken);
        if (ManifestSelection.IsIndex(mediaType))
        {
            var entry = ManifestSelection.ForThisNode(ImageJson.Parse(bytes, $"{client.What}: {reference}: index"), $"{client.What}: {reference}");
            var chosen = ContentDigest.Parse(ImageJson.String(entry, "digest") ?? "", $"{client.What}: {reference}: index entry");
            (bytes, mediaType, digest) = await GetManifest(chosen.OciForm, chosen, cancellationToken);
        }

        if (!ManifestSelection.IsManifest(mediaType))
        {
            throw new ImageImportException(mediaType.StartsWith("application/vnd.docker.distribution.manifest.v1", StringComparison.Ordinal)
                ? $"{client.What}: {reference} is a docker schema 1 image, which this node does not read; push it again with a current docker or skopeo"
                : $"{client.What}: {reference}: '{mediaType}' is not an image manifest this node reads");
        }

        var manifest = ImageJson.Parse(bytes, $"{client.What}: {reference}: manifest");
        var configDescriptor = manifest.TryGetProperty("config", out var c) ? c : default;
        var configDigest = ContentDigest.Parse(ImageJson.String(configDescriptor, "digest") ?? "", $"{client.What}: {reference}: manifest: config digest");
        var config = blobs.Contains(configDigest)
            ? await File.ReadAllBytesAsync(blobs.PathOf(configDigest), cancellationToken)
            : await fetch.ReadAsync(configDigest, SizeOf(configDescriptor), $"{client.What}: {reference}: config {configDigest.OciForm}", cancellationToken);

        var refName = reference.Tag ?? reference.Digest!.Value.OciForm;
        Directory.CreateDirectory(Path.Combine(layout, "blobs", digest.Algorithm));
        Directory.CreateDirectory(Path.Combine(layout, "blobs", configDigest.Algorithm));
        await File.WriteAllBytesAsync(Path.Combine(layout, "blobs", digest.Algorithm, digest.Hex), bytes, cancellationToken);
        await File.WriteAllBytesAsync(Path.Combine(layout, "blobs", configDigest.Algorithm, configDigest.Hex), config, cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(layout, "oci-layout"), """{"imageLayoutVersion":"1.0.0"}""", cancellationToken);
        await using (var index = File.Create(Path.Combine(layout, "index.json")))
        await using (var json = new Utf8JsonWriter(index))
        {
            json.WriteStartObject();
            json.WriteNumber("schemaVersion", 2);
            json.WriteStartArray("manifests");
            json.WriteStartObject();
            json.WriteString("mediaType", mediaType);
            json.WriteString("digest", digest.OciForm);
            json.WriteNumber("size", bytes.Length);
            json.WriteStartObject("annotations");
            json.WriteString(RefNameAnnotation, refName);
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }

        return refName;
    }

    /// <summary>Downloads the layers into the blob store, <see cref="ParallelLayers"/> at a time, reporting their sum and each.</summary>
    public async Task FetchLayersAsync(IReadOnlyList<LayerSource> layers, IProgress<ImageDownloadProgress>? progress, CancellationToken cancellationToken)
    {
        long? total = layers.All(l => l.Size is not null) ? layers.Sum(l => l.Size!.Value) : null;

        // Each blob is held to its declared size while it streams, so the sum bounds what the pull writes to disk:
        // refused before a byte is fetched, not after several layers have filled the store.
        var declared = layers.Sum(l => l.Size ?? 0);
        if (declared > maxBytes)
        {
            throw new ImageImportException($"{client.What}: {reference}: its layers are {declared} bytes, larger than the limit of {maxBytes} bytes");
        }

        var received = new long[layers.Count];
        var attempts = new int[layers.Count];
        var gate = new Lock();
        ImageDownloadProgress Now() => new(received.Sum(), total, Math.Max(attempts.DefaultIfEmpty(1).Max(), 1))
        {
            Layers = [.. layers.Select((l, i) => new LayerDownloadProgress(l.Blob.OciForm, received[i], l.Size, Math.Max(attempts[i], 1)))],
        };

        progress?.Report(Now());
        await Parallel.ForEachAsync(
            Enumerable.Range(0, layers.Count),
            new ParallelOptions { MaxDegreeOfParallelism = ParallelLayers, CancellationToken = cancellationToken },
            async (i, token) => await fetch.ToStoreAsync(layers[i].Blob, layers[i].Size, $"{client.What}: {layers[i].What}", (bytes, attempt) =>
            {
                lock (gate)
                {
                    received[i] = bytes;
                    attempts[i] = attempt;
                    progress?.Report(Now());
                }
            }, token));
    }

    private static long? SizeOf(JsonElement descriptor) =>
        descriptor.ValueKind == JsonValueKind.Object && descriptor.TryGetProperty("size", out var s) && s.TryGetInt64(out var size) ? size : null;

    // A manifest by tag or digest; one asked for by digest must hash to it (the registry is not trusted for that).
    private async Task<(byte[] Bytes, string MediaType, ContentDigest Digest)> GetManifest(string manifestReference, ContentDigest? expected, CancellationToken cancellationToken)
    {
        var path = $"/v2/{reference.Repository}/manifests/{manifestReference}";
        var (bytes, contentType) = await retries.ExecuteAsync(async token =>
        {
            using var response = await client.GetAsync(path, request =>
            {
                foreach (var type in ManifestSelection.Accepted)
                {
                    request.Headers.Accept.Add(new System.Net.Http.Headers.MediaTypeWithQualityHeaderValue(type));
                }
            }, token);
            if (TransientStatusException.IsTransient(response.StatusCode))
            {
                throw new TransientStatusException($"{client.What}: {path}: answered {(int)response.StatusCode} {response.ReasonPhrase}");
            }

            if (!response.IsSuccessStatusCode)
            {
                var detail = RegistryError(await client.ReadBounded(response, ImageJson.MaxDocumentBytes, token));
                throw new ImageImportException(response.StatusCode == System.Net.HttpStatusCode.NotFound
                    ? $"{client.What} has no image {reference.Name}:{manifestReference}{detail}"
                    : $"{client.What}: {path}: answered {(int)response.StatusCode} {response.ReasonPhrase}{detail}");
            }

            return (await client.ReadBounded(response, ImageJson.MaxDocumentBytes, token), response.Content.Headers.ContentType?.MediaType);
        }, cancellationToken);

        var algorithm = expected?.HashAlgorithm ?? HashAlgorithmName.SHA256;
        var digest = new ContentDigest(algorithm == HashAlgorithmName.SHA512 ? "sha512" : "sha256", Convert.ToHexStringLower(algorithm == HashAlgorithmName.SHA512 ? SHA512.HashData(bytes) : SHA256.HashData(bytes)));
        if (expected is { } wanted && wanted != digest)
        {
            throw new ImageImportException($"{client.What}: the manifest sent for {reference.Name}@{wanted.OciForm} is {digest.OciForm}; refused");
        }

        var document = ImageJson.Parse(bytes, $"{client.What}: {reference}: manifest");
        return (bytes, ManifestSelection.MediaType(document, contentType), digest);
    }

    // The distribution API's error body: {"errors": [{"code": "MANIFEST_UNKNOWN", "message": "manifest unknown"}]}.
    private static string RegistryError(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var messages = ImageJson.Array(document.RootElement, "errors").Select(e => ImageJson.String(e, "message")).OfType<string>().ToList();
            return messages.Count > 0 ? $" ({string.Join("; ", messages)})" : "";
        }
        catch (JsonException)
        {
            return "";
        }
    }
}
