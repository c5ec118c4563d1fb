using System.Runtime.ExceptionServices;
using Orleans.Storage;
using Polly;
using Polly.Retry;

namespace FleetPods.Grains.Storage;

/// <summary>
/// How every FleetPods grain writes its state, so that no grain acts on state it failed to save. A write that
/// fails for a passing reason (<see cref="TransientStorageFault"/>) is tried again with back-off; one that still
/// fails, or fails for another reason (an ETag conflict among them), reloads the stored state before the error
/// reaches the caller, so the activation holds what storage holds. If even the reload fails, the activation is
/// dropped and the next call loads the state afresh. The caller gets a <see cref="FleetPodsException"/>: the
/// provider's own exception (Npgsql's, SQLite's) has no Orleans codec and could not cross to another silo.
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
        // Every attempt and the reload must run on the grain's own scheduler: Orleans refuses storage calls from any other thread.
        ResilienceContext? context = null;
        try
        {
            // The first attempt outside the pipeline: nearly every write succeeds at once, and the pipeline's context
            // and callbacks cost a busy server more than the write's own call. The pipeline takes over from a passing
            // fault, its first attempt being that one, so the attempts and delays are the pipeline's.
            Exception? first;
            try
            {
                await write();
                return;
            }
            catch (Exception fault) when (TransientStorageFault.Is(fault))
            {
                first = fault;
            }

            context = ResilienceContextPool.Shared.Get(continueOnCapturedContext: true);
            await retry.ExecuteAsync(
                async _ =>
                {
                    if (first is { } failedFirst)
                    {
                        first = null;
                        ExceptionDispatchInfo.Throw(failedFirst);
                    }

                    await write();
                },
                context);
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

            throw new FleetPodsException(failed is InconsistentStateException || failed.InnerException is InconsistentStateException
                ? "the cluster's state changed meanwhile; nothing was changed, try again"
                : $"the cluster could not save its state ({Innermost(failed).Message}); nothing was changed, try again");
        }
        finally
        {
            if (context is not null)
            {
                ResilienceContextPool.Shared.Return(context);
            }
        }
    }

    private static Exception Innermost(Exception exception) => exception.InnerException is { } inner ? Innermost(inner) : exception;

    private static void Abandon(Grain grain) =>
        grain.GrainContext.Deactivate(new DeactivationReason(DeactivationReasonCode.ApplicationError, "its state could be neither saved nor reloaded"));
}
