using SharpCompress.Readers;

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
        using var tar = ArchiveCompression.Decompressing(file, ArchiveCompression.IsGzip(path));
        IReader reader;
        try
        {
            reader = ReaderFactory.OpenReader(tar, new ReaderOptions { LeaveStreamOpen = true });
        }
        catch (Exception ex) when (ex is InvalidOperationException or SharpCompress.Common.InvalidFormatException or SharpCompress.Common.ArchiveException)
        {
            throw new ImageImportException($"{name}: not an image archive (a tar, plain or compressed): {ex.Message}", ex);
        }

        using (reader)
        {
            var dockerManifest = false;
            for (var scanned = 0; scanned < MaxEntriesScanned && reader.MoveToNextEntry(); scanned++)
            {
                var key = (reader.Entry.Key ?? "").TrimStart('.', '/');
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
    }
}
