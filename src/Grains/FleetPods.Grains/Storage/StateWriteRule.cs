using System.Runtime.ExceptionServices;
using Polly;
using Polly.Retry;

namespace FleetPods.Grains.Storage;

/// <summary>
/// How every FleetPods grain writes its state, so that no grain acts on state it failed to save. A write that
/// fails for a passing reason (<see cref="TransientStorageFault"/>) is tried again with back-off; one that still
/// fails, or fails for another reason (an ETag conflict among them), reloads the stored state before the error
/// reaches the caller, so the activation holds what storage holds. If even the reload fails, the activation is
/// dropped and the next call loads the state afresh.
/// </summary>
internal static class StateWriteRule
{
    private static readonly ResiliencePipeline Retry = RetryPipeline(TimeSpan.FromMilliseconds(200));

    /// <summary>Writes the grain's state by the rule.</summary>
    public static Task Save<T>(this IPersistentState<T> state, Grain grain) =>
        Run(state, state.WriteStateAsync, Retry, () => Abandon(grain));

    /// <summary>Clears the grain's state by the rule.</summary>
    public static Task Erase<T>(this IPersistentState<T> state, Grain grain) =>
        Run(state, state.ClearStateAsync, Retry, () => Abandon(grain));

    /// <summary>Five retries with exponential back-off from <paramref name="firstDelay"/> (about 6 s in all from 200 ms).</summary>
    internal static ResiliencePipeline RetryPipeline(TimeSpan firstDelay) => new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = 5,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = firstDelay > TimeSpan.Zero,
            Delay = firstDelay,
            ShouldHandle = new PredicateBuilder().Handle<Exception>(TransientStorageFault.Is),
        })
        .Build();

    internal static async Task Run<T>(IPersistentState<T> state, Func<Task> write, ResiliencePipeline retry, Action abandon)
    {
        try
        {
            await retry.ExecuteAsync(async _ => await write());
        }
        catch (Exception failed)
        {
            try
            {
                await state.ReadStateAsync();
            }
            catch (Exception)
            {
                // The activation holds state storage does not; it must not serve another call with it.
                abandon();
            }

            ExceptionDispatchInfo.Throw(failed);
        }
    }

    private static void Abandon(Grain grain) =>
        grain.GrainContext.Deactivate(new DeactivationReason(DeactivationReasonCode.ApplicationError, "its state could be neither saved nor reloaded"));
}
