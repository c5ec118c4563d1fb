using System.Security.Authentication;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace FleetPods.NodeRuntime.Images;

/// <summary>
/// What a download retries (a registry's requests and blobs, an image's URL), with Polly's exponential back-off:
/// connection failures, a body cut short, 408, 429 and 5xx. A TLS failure is not retried: another try meets the same
/// certificate.
/// </summary>
internal static class DownloadRetries
{
    public static ResiliencePipeline Pipeline(int maxRetries, TimeSpan firstDelay, string what, ILogger logger)
    {
        if (maxRetries == 0)
        {
            return ResiliencePipeline.Empty;
        }

        return new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder()
                    .Handle<HttpRequestException>(ex => ex.InnerException is not AuthenticationException)
                    .Handle<IOException>()
                    .Handle<TransientStatusException>(),
                MaxRetryAttempts = maxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = firstDelay,
                OnRetry = args =>
                {
                    logger.LogWarning("{What}: {Error}; retry {Attempt} in {Delay}", what, args.Outcome.Exception?.Message, args.AttemptNumber + 1, args.RetryDelay);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }
}
