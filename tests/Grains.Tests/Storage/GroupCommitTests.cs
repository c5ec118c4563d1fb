using FleetPods.Grains.Storage;

namespace FleetPods.Grains.Tests.Storage;

/// <summary>
/// Changes made while a write is in flight share the next write, and nobody hears a change was kept before a write
/// that began after it succeeded; a failed write fails its changes and those waiting behind it.
/// </summary>
public sealed class GroupCommitTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Changes_made_while_a_write_is_in_flight_share_the_next_write()
    {
        var writes = new Writes();
        var commit = new GroupCommit(writes.Begin, () => { });

        var first = commit.Save();
        var second = commit.Save();
        var third = commit.Save();

        (await writes.Next()).SetResult();
        await first.WaitAsync(Deadline);
        Assert.False(second.IsCompleted, "a change made during the first write was acknowledged before it was written");
        (await writes.Next()).SetResult();
        await Task.WhenAll(second, third).WaitAsync(Deadline);
        Assert.Equal(2, writes.Begun);
    }

    [Fact]
    public async Task A_failed_write_fails_its_changes_and_those_waiting_behind_it_and_the_next_change_writes_again()
    {
        var writes = new Writes();
        var reloads = 0;
        var commit = new GroupCommit(writes.Begin, () => Interlocked.Increment(ref reloads));

        var inFailedWrite = commit.Save();
        var behind = commit.Save();
        (await writes.Next()).SetException(new FleetPodsException("the cluster could not save its state"));

        await Assert.ThrowsAsync<FleetPodsException>(() => inFailedWrite.WaitAsync(Deadline));
        await Assert.ThrowsAsync<FleetPodsException>(() => behind.WaitAsync(Deadline));
        Assert.Equal((1, 1), (writes.Begun, reloads));

        var after = commit.Save();
        (await writes.Next()).SetResult();
        await after.WaitAsync(Deadline);
        Assert.Equal(2, writes.Begun);
    }

    // The writes the commit begins, each finished by the test.
    private sealed class Writes
    {
        private readonly SemaphoreSlim begun = new(0);
        private readonly Queue<TaskCompletionSource> pending = new();
        private int count;

        public int Begun => Volatile.Read(ref count);

        public Task Begin()
        {
            var write = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (pending)
            {
                pending.Enqueue(write);
            }

            Interlocked.Increment(ref count);
            begun.Release();
            return write.Task;
        }

        public async Task<TaskCompletionSource> Next()
        {
            Assert.True(await begun.WaitAsync(Deadline), "no write began");
            lock (pending)
            {
                return pending.Dequeue();
            }
        }
    }
}
