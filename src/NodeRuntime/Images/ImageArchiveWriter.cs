using System.Text.Json;
using SharpCompress.Common;
using SharpCompress.Writers.Tar;

namespace FleetPods.NodeRuntime.Images;

/// <summary>
/// Writes a stored image back out as the archive it came as, from the store's own blobs: an OCI image as a tar of
/// an OCI layout holding its very manifest, a docker image as a docker archive holding its very config, so that
/// either imports again under the same digest (and umoci, skopeo or docker load read it).
/// </summary>
internal static class ImageArchiveWriter
{
    private const string OciManifestMediaType = "application/vnd.oci.image.manifest.v1+json";

    public static void WriteOciLayoutTar(ImageRecord image, BlobStore blobs, string target)
    {
        var manifestDigest = ContentDigest.Parse(image.Digest, image.Name);
        var manifestBytes = File.ReadAllBytes(blobs.PathOf(manifestDigest));
        var configDigest = ContentDigest.Parse(ImageJson.String(ImageJson.Parse(manifestBytes, image.Name).GetProperty("config"), "digest") ?? "", image.Name);
        var index = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["schemaVersion"] = 2,
            ["manifests"] = new[]
            {
                new Dictionary<string, object>
                {
                    ["mediaType"] = OciManifestMediaType,
                    ["digest"] = manifestDigest.OciForm,
                    ["size"] = manifestBytes.Length,
                    ["annotations"] = new Dictionary<string, string> { ["org.opencontainers.image.ref.name"] = image.Labels.GetValueOrDefault("version") ?? "latest" },
                },
            },
        });

        using var output = File.Create(target);
        using var writer = new TarWriter(output, new TarWriterOptions(CompressionType.None, finalizeArchiveOnClose: true));
        writer.Write("oci-layout", new MemoryStream("""{"imageLayoutVersion":"1.0.0"}"""u8.ToArray()), null);
        writer.Write("index.json", new MemoryStream(index), null);
        foreach (var blob in image.Layers.Select(l => ContentDigest.Parse(l.Digest, image.Name)).Prepend(configDigest).Prepend(manifestDigest))
        {
            using var content = File.OpenRead(blobs.PathOf(blob));
            writer.Write($"blobs/{blob.Algorithm}/{blob.Hex}", content, null);
        }
    }

    public static void WriteDockerArchive(ImageRecord image, BlobStore blobs, string target)
    {
        var config = ContentDigest.Parse(image.Digest, image.Name);
        var layerBlobs = image.Layers.Select(l => ContentDigest.Parse(l.Digest, image.Name)).ToList();
        var manifest = JsonSerializer.SerializeToUtf8Bytes(new[]
        {
            new Dictionary<string, object>
            {
                ["Config"] = $"{config.Hex}.json",
                ["RepoTags"] = new[] { $"{image.Name}:{image.Labels.GetValueOrDefault("version") ?? "latest"}" },
                ["Layers"] = layerBlobs.Select(l => $"{l.Hex}/layer.tar").ToArray(),
            },
        });

        using var output = File.Create(target);
        using var writer = new TarWriter(output, new TarWriterOptions(CompressionType.None, finalizeArchiveOnClose: true));
        writer.Write("manifest.json", new MemoryStream(manifest), null);
        using (var content = File.OpenRead(blobs.PathOf(config)))
        {
            writer.Write($"{config.Hex}.json", content, null);
        }

        foreach (var layer in layerBlobs)
        {
            using var content = File.OpenRead(blobs.PathOf(layer));
            writer.Write($"{layer.Hex}/layer.tar", content, null);
        }
    }
}
