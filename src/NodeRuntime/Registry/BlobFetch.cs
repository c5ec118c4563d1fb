using System.Net.Http.Headers;
using FleetPods.NodeRuntime.Images;
using Polly;

namespace FleetPods.NodeRuntime.Registry;

/// <summary>
/// A blob of the repository, fetched from the registry and verified against its digest while it streams (by
/// <see cref="VerifyingReadStream"/> over a <see cref="ResumingDownloadStream"/>, so a cut connection resumes with a
/// range and the hash goes on over the same bytes). A layer goes to a temporary file of the blob store and is
/// committed under its digest only once verified: a blob whose bytes do not match is refused and never stored.
/// </summary>
internal sealed class BlobFetch(RegistryClient client, string repository, BlobStore blobs, long maxBytes, ResiliencePipeline retries, TimeSpan stallTimeout)
{
    private const int BufferBytes = 1 << 16;

    /// <summary>Downloads the blob into the store.</summary>
    /// <param name="progress">Bytes read so far and requests made, after each read.</param>
    /// <exception cref="ImageImportException">The blob is not the one named, or the registry refused it.</exception>
    public async Task ToStoreAsync(ContentDigest digest, long? size, string what, Action<long, int> progress, CancellationToken cancellationToken)
    {
        var temporary = blobs.NewTemporaryPath();
        try
        {
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferBytes))
            {
                await ReadVerified(digest, size, what, file, maxBytes, progress, cancellationToken);
                file.Flush(flushToDisk: true);
            }

            blobs.Commit(temporary, digest);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>A small blob (an image config) read into memory, verified.</summary>
    public async Task<byte[]> ReadAsync(ContentDigest digest, long? size, string what, CancellationToken cancellationToken)
    {
        if (size > ImageJson.MaxDocumentBytes)
        {
            throw new ImageImportException($"{what}: {size} bytes is larger than {ImageJson.MaxDocumentBytes}");
        }

        using var buffer = new MemoryStream();
        await ReadVerified(digest, size, what, buffer, ImageJson.MaxDocumentBytes, (_, _) => { }, cancellationToken);
        return buffer.ToArray();
    }

    private async Task ReadVerified(ContentDigest digest, long? size, string what, Stream copy, long limit, Action<long, int> progress, CancellationToken cancellationToken)
    {
        var path = $"/v2/{repository}/blobs/{digest.OciForm}";
        using var body = new ResumingDownloadStream(
            (from, token) => client.GetAsync(path, request => request.Headers.Range = from > 0 ? new RangeHeaderValue(from, null) : null, token),
            $"{client.What}: {path}",
            size,
            retries,
            stallTimeout);
        using var verifying = new VerifyingReadStream(body, digest, size, limit, what, copy);
        var buffer = new byte[BufferBytes];
        while (await verifying.ReadAsync(buffer, cancellationToken) > 0)
        {
            progress(verifying.BytesRead, body.Attempts);
        }

        verifying.Verify();
    }
}
