using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace FleetPods.NodeRuntime.Images;

/// <summary>
/// Downloads an image over http or https into a file: transient failures (connection errors, a stream cut short,
/// 408, 429 and 5xx) are retried with exponential back-off by Polly, and each retry asks for the rest with a Range
/// request, appending when the server answers 206 and starting over when it answers 200. The size is capped.
/// </summary>
internal sealed class ImageDownloader(HttpClient http, long maxBytes, TimeSpan firstRetryDelay, ILogger logger)
{
    private const int MaxRetries = 6;

    public async Task DownloadAsync(Uri url, string target, IProgress<ImageDownloadProgress>? progress, CancellationToken cancellationToken)
    {
        var attempt = 0;
        var pipeline = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<HttpRequestException>().Handle<IOException>().Handle<TransientStatusException>(),
                MaxRetryAttempts = MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = firstRetryDelay,
                OnRetry = args =>
                {
                    logger.LogWarning("Download of {Url} failed ({Error}); retry {Attempt} in {Delay}", url, args.Outcome.Exception?.Message, args.AttemptNumber + 1, args.RetryDelay);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
        await using var file = new FileStream(target, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        await pipeline.ExecuteAsync(async token => await Attempt(url, file, ++attempt, progress, token), cancellationToken);
    }

    private async Task Attempt(Uri url, FileStream file, int attempt, IProgress<ImageDownloadProgress>? progress, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (file.Length > 0)
        {
            request.Headers.Range = new RangeHeaderValue(file.Length, null);
        }

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (TransientStatusException.IsTransient(response.StatusCode))
        {
            throw new TransientStatusException($"{url}: the server answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }

        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && file.Length > 0)
        {
            return;
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new ImageImportException($"{url}: the server answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }

        if (response.StatusCode != HttpStatusCode.PartialContent)
        {
            file.SetLength(0);
        }

        file.Seek(0, SeekOrigin.End);
        long? total = response.Content.Headers.ContentRange?.Length ?? (response.Content.Headers.ContentLength is { } length ? file.Length + length : null);
        if (total > maxBytes)
        {
            throw new ImageImportException($"{url}: {total} bytes is larger than the limit of {maxBytes} bytes");
        }

        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[1 << 16];
        int read;
        progress?.Report(new ImageDownloadProgress(file.Length, total, attempt));
        while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (file.Length + read > maxBytes)
            {
                throw new ImageImportException($"{url}: larger than the limit of {maxBytes} bytes");
            }

            await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            progress?.Report(new ImageDownloadProgress(file.Length, total, attempt));
        }

        await file.FlushAsync(cancellationToken);
        if (total is { } expected && file.Length < expected)
        {
            throw new IOException($"{url}: the connection closed after {file.Length} of {expected} bytes");
        }
    }
}
