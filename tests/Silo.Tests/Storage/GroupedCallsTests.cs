using FleetPods.Silo.Storage;

namespace FleetPods.Silo.Tests.Storage;

/// <summary>How calls share batches: a lone call goes at once, a burst goes together, one row never twice in a batch.</summary>
public sealed class GroupedCallsTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_lone_call_goes_at_once_in_a_batch_of_its_own()
    {
        var batches = new List<int[]>();
        var calls = new GroupedCalls<int, int>(batch => Answer(batches, batch), maxBatch: 10);

        Assert.Equal(10, await calls.Call(1).WaitAsync(Within));
        Assert.Equal(20, await calls.Call(2).WaitAsync(Within));

        Assert.Equal([[1], [2]], batches);
    }

    [Fact]
    public async Task Calls_that_arrive_while_a_batch_is_in_flight_go_together_in_the_next_up_to_the_limit()
    {
        var batches = new List<int[]>();
        var inFlight = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var calls = new GroupedCalls<int, int>(async batch =>
        {
            inFlight.TrySetResult();
            await release.Task;
            return await Answer(batches, batch);
        }, maxBatch: 100);

        var first = calls.Call(0);
        await inFlight.Task.WaitAsync(Within);
        var burst = Enumerable.Range(1, 250).Select(calls.Call).ToArray();
        release.SetResult();
        var answers = await Task.WhenAll(burst).WaitAsync(Within);
        await first.WaitAsync(Within);

        Assert.Equal(Enumerable.Range(1, 250).Select(i => i * 10), answers);
        Assert.Equal([1, 100, 100, 50], batches.Select(b => b.Length));
    }

    [Fact]
    public async Task Two_calls_for_one_key_never_share_a_batch()
    {
        var batches = new List<int[]>();
        var release = new TaskCompletionSource();
        var calls = new GroupedCalls<int, int>(async batch =>
        {
            await release.Task;
            return await Answer(batches, batch);
        }, maxBatch: 100, exclusiveKey: i => i % 3);

        var all = Enumerable.Range(0, 7).Select(calls.Call).ToArray();
        release.SetResult();
        await Task.WhenAll(all).WaitAsync(Within);

        Assert.All(batches, b => Assert.Equal(b.Length, b.Select(i => i % 3).Distinct().Count()));
        Assert.Equal([0, 1, 2, 3, 4, 5, 6], batches.SelectMany(b => b).Order());
    }

    [Fact]
    public async Task A_failed_batch_fails_each_of_its_calls_and_the_next_batch_still_goes()
    {
        var release = new TaskCompletionSource();
        var failing = true;
        var calls = new GroupedCalls<int, int>(async batch =>
        {
            await release.Task;
            if (failing)
            {
                failing = false;
                throw new InvalidOperationException("the database is gone");
            }

            return [.. batch.Select(i => i * 10)];
        }, maxBatch: 1);

        var failed = calls.Call(1);
        var after = calls.Call(2);
        release.SetResult();

        Assert.Equal("the database is gone", (await Assert.ThrowsAsync<InvalidOperationException>(() => failed.WaitAsync(Within))).Message);
        Assert.Equal(20, await after.WaitAsync(Within));
    }

    private static Task<int[]> Answer(List<int[]> batches, IReadOnlyList<int> batch)
    {
        lock (batches)
        {
            batches.Add([.. batch]);
        }

        return Task.FromResult<int[]>([.. batch.Select(i => i * 10)]);
    }
}
