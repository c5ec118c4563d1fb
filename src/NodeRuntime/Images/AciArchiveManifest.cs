using System.Formats.Tar;

namespace FleetPods.NodeRuntime.Images;

/// <summary>
/// The manifest of an ACI read straight from its archive, before anything of it is stored: what a signature check
/// needs to know whose name the image claims.
/// </summary>
internal static class AciArchiveManifest
{
    private const int MaxManifestBytes = 1 << 20;
    private const int MaxEntriesScanned = 1_000_000;

    /// <summary>The archive's one <c>manifest</c>, parsed.</summary>
    /// <exception cref="ImageImportException">No manifest, several (an extraction would keep another than the one read here), or one that is not a file.</exception>
    public static AciManifest Read(string path, string name)
    {
        using var file = File.OpenRead(path);
        using var tar = ArchiveCompression.Decompressing(file, ArchiveCompression.Detect(path));
        using var reader = new TarReader(tar, leaveOpen: true);
        byte[]? manifest = null;
        try
        {
            for (var scanned = 0; reader.GetNextEntry(copyData: false) is { } entry; scanned++)
            {
                if (scanned == MaxEntriesScanned)
                {
                    throw new ImageImportException($"{name}: more than {MaxEntriesScanned} entries");
                }

                if (entry.Name.TrimStart('.', '/').TrimEnd('/') != "manifest")
                {
                    continue;
                }

                if (manifest is not null)
                {
                    throw new ImageImportException($"{name}: holds 'manifest' twice");
                }

                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null)
                {
                    throw new ImageImportException($"{name}: 'manifest' is not a regular file");
                }

                if (entry.Length > MaxManifestBytes)
                {
                    throw new ImageImportException($"{name}: manifest is larger than {MaxManifestBytes} bytes");
                }

                using var bytes = new MemoryStream();
                entry.DataStream.CopyTo(bytes);
                manifest = bytes.ToArray();
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException or SharpCompress.Common.SharpCompressException)
        {
            throw new ImageImportException($"{name}: not an image archive (a tar, plain or compressed with gzip, bzip2, xz or zstd): {ex.Message}", ex);
        }

        return AciManifest.Parse(manifest ?? throw new ImageImportException($"{name}: no 'manifest' in the ACI"), name);
    }
}
