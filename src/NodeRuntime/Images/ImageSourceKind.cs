using System.Formats.Tar;

namespace FleetPods.NodeRuntime.Images;

/// <summary>What an image file is, told from the names of its entries.</summary>
internal enum ImageSourceKind
{
    Aci,
    OciLayoutTar,
    DockerArchive,
}

/// <summary>Tells an ACI, a tar of an OCI layout and a docker archive apart by the entries at their top.</summary>
internal static class ImageSourceKinds
{
    private const int MaxEntriesScanned = 100_000;

    public static ImageSourceKind Detect(string path, string name)
    {
        using var file = File.OpenRead(path);
        using var tar = ArchiveCompression.Decompressing(file, ArchiveCompression.Detect(path));
        using var reader = new TarReader(tar, leaveOpen: true);
        try
        {
            var dockerManifest = false;
            for (var scanned = 0; scanned < MaxEntriesScanned && reader.GetNextEntry(copyData: false) is { } entry; scanned++)
            {
                var key = entry.Name.TrimStart('.', '/');
                if (key is "manifest" || key.StartsWith("rootfs/", StringComparison.Ordinal) || key == "rootfs")
                {
                    return ImageSourceKind.Aci;
                }

                if (key == "oci-layout")
                {
                    return ImageSourceKind.OciLayoutTar;
                }

                dockerManifest |= key == "manifest.json";
            }

            return dockerManifest
                ? ImageSourceKind.DockerArchive
                : throw new ImageImportException($"{name}: not an image: no 'manifest' (ACI), 'oci-layout' (OCI layout) or 'manifest.json' (docker archive) at its top");
        }
        catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException or SharpCompress.Common.SharpCompressException)
        {
            throw new ImageImportException($"{name}: not an image archive (a tar, plain or compressed with gzip, bzip2, xz or zstd): {ex.Message}", ex);
        }
    }
}
