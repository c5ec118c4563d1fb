using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;

namespace FleetPods.NodeRuntime.Images;

/// <summary>
/// Downloads an image over http or https into a file, read through a <see cref="ResumingDownloadStream"/> as a
/// registry's blobs are: transient failures (connection errors, a stream cut short or silent, 408, 429 and 5xx) are
/// retried with exponential back-off by Polly, each retry asking for the rest with a Range request. The size is capped.
/// </summary>
internal sealed class ImageDownloader(HttpClient http, long maxBytes, TimeSpan firstRetryDelay, ILogger logger)
{
    private const int MaxRetries = 6;

    // A server that sends nothing for this long is taken as gone (no FIN reached us), and asked again.
    private static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(60);

    public async Task DownloadAsync(Uri url, string target, IProgress<ImageDownloadProgress>? progress, CancellationToken cancellationToken)
    {
        var retries = DownloadRetries.Pipeline(MaxRetries, firstRetryDelay, $"download of {url}", logger);
        await using var body = new ResumingDownloadStream((from, token) => Get(url, from, token), url.ToString(), null, retries, StallTimeout);
        await using var file = new FileStream(target, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        var buffer = new byte[1 << 16];
        int read;
        while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (body.Size > maxBytes || file.Length + read > maxBytes)
            {
                throw new ImageImportException($"{url}: {(body.Size > maxBytes ? $"{body.Size} bytes is" : "it is")} larger than the limit of {maxBytes} bytes");
            }

            await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            progress?.Report(new ImageDownloadProgress(file.Length, body.Size, body.Attempts));
        }

        await file.FlushAsync(cancellationToken);
    }

    private async Task<HttpResponseMessage> Get(Uri url, long from, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (from > 0)
        {
            request.Headers.Range = new RangeHeaderValue(from, null);
        }

        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }
}
