using System.Globalization;
using System.IO.Pipelines;

namespace FleetPods.NodeRuntime.Images;

/// <summary>
/// Builds one layer's tree from its blob in a single pass: the blob is read once, copied into the blob store
/// (unless it is already there), hashed and decompressed on one thread, while the tar is parsed and its files
/// written on another (GNU tar gets the same overlap from its gzip child process). The blob's digest, and the
/// uncompressed tar's diff_id where known, are checked at the end; until then nothing is committed.
/// </summary>
internal sealed class LayerBuilder(BlobStore blobs, long maxBytes)
{
    private static readonly PipeOptions ReadAhead = new(pauseWriterThreshold: 8 << 20, resumeWriterThreshold: 4 << 20, useSynchronizationContext: false);

    /// <summary>Fills the empty directory <paramref name="tree"/>: <c>rootfs/</c> (and an ACI's <c>manifest</c>) and <c>size</c>.</summary>
    public void Build(LayerSource layer, string tree, long budget)
    {
        Directory.CreateDirectory(tree);
        var stored = blobs.Contains(layer.Blob);
        var path = stored ? blobs.PathOf(layer.Blob) : layer.Path;
        var copy = stored ? null : blobs.NewTemporaryPath();
        try
        {
            long written;
            using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16))
            using (var blobCopy = copy is null ? null : new FileStream(copy, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            using (var verifying = new VerifyingReadStream(file, layer.Blob, layer.Size, maxBytes, layer.What, blobCopy))
            using (var tar = ArchiveCompression.Decompressing(verifying, ArchiveCompression.Detect(path)))
            using (var uncompressed = layer.DiffId is { } diff && diff != layer.Blob ? new VerifyingReadStream(tar, diff, null, long.MaxValue, layer.What + " uncompressed", null) : null)
            {
                var extractor = new TarTreeExtractor(layer.What, budget, overlayWhiteouts: layer.Kind == ImageLayerKind.Changeset);
                var target = layer.Kind == ImageLayerKind.Aci ? tree : Path.Combine(tree, "rootfs");
                Extract(extractor, (Stream?)uncompressed ?? tar, target, verifying);

                // The blob's own digest first: a tampered blob is reported as that, not as a wrong diff_id.
                verifying.ReadToEndAndVerify();
                uncompressed?.Verify();
                blobCopy?.Flush(flushToDisk: true);
                written = extractor.Written;
            }

            if (layer.Kind == ImageLayerKind.Aci)
            {
                CheckAciTree(tree, layer.What);
            }

            File.WriteAllText(Path.Combine(tree, "size"), written.ToString(CultureInfo.InvariantCulture));
            if (copy is not null)
            {
                blobs.Commit(copy, layer.Blob);
            }
        }
        finally
        {
            if (copy is not null)
            {
                File.Delete(copy);
            }
        }
    }

    private static void Extract(TarTreeExtractor extractor, Stream tar, string target, VerifyingReadStream blob)
    {
        var pipe = new Pipe(ReadAhead);
        using var stop = new CancellationTokenSource();
        var pump = Task.Run(async () =>
        {
            try
            {
                await tar.CopyToAsync(pipe.Writer, stop.Token);
                await pipe.Writer.CompleteAsync();
            }
            catch (Exception ex)
            {
                await pipe.Writer.CompleteAsync(ex);
            }
        });

        using var ahead = pipe.Reader.AsStream();
        try
        {
            extractor.Extract(ahead, target);
            ahead.CopyTo(Stream.Null);
            pump.GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException or SharpCompress.Common.SharpCompressException)
        {
            // A blob that is not what its digest names is reported as such, not as the damage that gave it away.
            Stop(stop, pipe, pump);
            blob.ReadToEndAndVerify();
            throw new ImageImportException($"{blob.What}: the archive is damaged: {ex.Message}", ex);
        }
        catch
        {
            Stop(stop, pipe, pump);
            throw;
        }
    }

    private static void Stop(CancellationTokenSource stop, Pipe pipe, Task pump)
    {
        stop.Cancel();
        pipe.Reader.Complete();
        pump.ContinueWith(_ => { }, TaskScheduler.Default).GetAwaiter().GetResult();
    }

    private static void CheckAciTree(string tree, string name)
    {
        var manifest = new FileInfo(Path.Combine(tree, "manifest"));
        if (!manifest.Exists || manifest.LinkTarget is not null)
        {
            throw new ImageImportException($"{name}: no manifest at the top of the archive; an ACI holds 'manifest' and 'rootfs/'");
        }

        var rootfs = new DirectoryInfo(Path.Combine(tree, "rootfs"));
        if (!rootfs.Exists || rootfs.LinkTarget is not null)
        {
            throw new ImageImportException($"{name}: no rootfs/ directory in the archive");
        }

        AciManifest.Parse(File.ReadAllBytes(manifest.FullName), name);
    }
}
