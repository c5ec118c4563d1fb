using System.Net;
using Polly;

namespace FleetPods.NodeRuntime.Images;

/// <summary>
/// A download's body read on across cuts, for a registry's blobs and an image's URL alike: when the connection fails
/// (or closes before the size given, or the size the first answer announced), the rest is asked for with a Range
/// request after the retry pipeline's back-off, and reading goes on where it stopped; so does a connection that sends
/// nothing for <paramref name="stallTimeout"/> (a peer gone without a FIN would otherwise hold the download forever). A
/// server that answers a range with the whole body has the bytes already read skipped, so a reader (a digest's hash
/// above all) sees each byte once, in order. 408, 429 and 5xx are <see cref="TransientStatusException"/>s to retry;
/// any other failure status ends the download.
/// </summary>
/// <param name="get">Sends the GET, with a Range from the offset given when it is not 0.</param>
/// <param name="what">What is downloaded, as errors name it (a URL, or a registry and path).</param>
internal sealed class ResumingDownloadStream(
    Func<long, CancellationToken, Task<HttpResponseMessage>> get,
    string what,
    long? size,
    ResiliencePipeline retries,
    TimeSpan stallTimeout) : Stream
{
    private HttpResponseMessage? response;
    private Stream? body;
    private long position;

    /// <summary>How many requests the body took: 1 when it came whole.</summary>
    public int Attempts { get; private set; }

    /// <summary>The body's whole size, as given or as the first answer announced it; null while unknown.</summary>
    public long? Size => size;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        retries.ExecuteAsync(async token =>
        {
            using var stall = CancellationTokenSource.CreateLinkedTokenSource(token);
            stall.CancelAfter(stallTimeout);
            try
            {
                body ??= await Open(stall.Token);
                var read = await body.ReadAsync(buffer, stall.Token);
                if (read == 0 && size is { } expected && position < expected)
                {
                    throw new HttpIOException(HttpRequestError.ResponseEnded, $"{what}: the connection closed after {position} of {expected} bytes");
                }

                position += read;
                return read;
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException or TransientStatusException)
            {
                CloseResponse();
                throw;
            }
            catch (OperationCanceledException ex) when (!token.IsCancellationRequested)
            {
                CloseResponse();
                throw new HttpIOException(HttpRequestError.ResponseEnded, $"{what}: nothing received for {stallTimeout.TotalSeconds:0.#} s after {position} bytes", ex);
            }
        }, cancellationToken);

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            CloseResponse();
        }

        base.Dispose(disposing);
    }

    private async Task<Stream> Open(CancellationToken cancellationToken)
    {
        Attempts++;
        var from = position;
        response = await get(from, cancellationToken);
        if (TransientStatusException.IsTransient(response.StatusCode))
        {
            throw new TransientStatusException($"{what}: the server answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }

        if (!response.IsSuccessStatusCode)
        {
            var status = $"{(int)response.StatusCode} {response.ReasonPhrase}";
            CloseResponse();
            throw new ImageImportException($"{what}: the server answered {status}");
        }

        size ??= response.Content.Headers.ContentRange?.Length ?? (from == 0 ? response.Content.Headers.ContentLength : null);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var partial = response.StatusCode == HttpStatusCode.PartialContent;
        if (partial && response.Content.Headers.ContentRange?.From is { } start && start != from)
        {
            throw new HttpIOException(HttpRequestError.InvalidResponse, $"{what}: asked for bytes from {from}, sent from {start}");
        }

        if (from > 0 && !partial)
        {
            await SkipAsync(stream, from, cancellationToken);
        }

        return stream;
    }

    private static async Task SkipAsync(Stream stream, long count, CancellationToken cancellationToken)
    {
        var scrap = new byte[1 << 16];
        while (count > 0)
        {
            var read = await stream.ReadAsync(scrap.AsMemory(0, (int)Math.Min(scrap.Length, count)), cancellationToken);
            count -= read > 0 ? read : throw new HttpIOException(HttpRequestError.ResponseEnded, "the connection closed before the part already read was sent again");
        }
    }

    private void CloseResponse()
    {
        body?.Dispose();
        body = null;
        response?.Dispose();
        response = null;
    }
}
