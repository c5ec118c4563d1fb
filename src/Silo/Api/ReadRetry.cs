using Orleans.Runtime.Messaging;
using Polly;
using Polly.Retry;

namespace FleetPods.Silo.Api;

/// <summary>
/// Asks a read again when a node went away while answering it. Until the cluster has declared that node dead
/// (about a second after a SIGKILL with fleetpodsd's membership settings), a grain that lived there cannot
/// answer; afterwards it is activated on a live node. Only these fast, typed rejections are retried, never a
/// timeout, so a read is still bounded.
/// </summary>
public static class ReadRetry
{
    private static readonly ResiliencePipeline Pipeline = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = 20,
            BackoffType = DelayBackoffType.Constant,
            Delay = TimeSpan.FromMilliseconds(250),
            ShouldHandle = new PredicateBuilder().Handle<OrleansMessageRejectionException>().Handle<ConnectionFailedException>(),
        })
        .Build();

    public static ValueTask<T> Run<T>(Func<Task<T>> read, CancellationToken cancellationToken) =>
        Pipeline.ExecuteAsync(async _ => await read(), cancellationToken);
}
