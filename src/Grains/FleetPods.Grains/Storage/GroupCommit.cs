namespace FleetPods.Grains.Storage;

/// <summary>
/// Group commit for a grain whose calls interleave: every change made while a write is in flight is saved by the next
/// write, which all of them await, so a burst of changes costs two writes instead of one each. A change is made before
/// <see cref="Save"/> is called and is acknowledged only once a write that began after it succeeded. Each write must
/// store a copy of the grain's data: a storage provider may serialize the state off the grain's turn, while the next
/// calls already change the data. A write that fails has reloaded the stored state (<see cref="StateWriteRule"/>), which
/// drops the changes of that write and of the one waiting behind it: both fail, and <paramref name="reloaded"/> makes
/// the grain's data again from what storage holds, so no caller is told a change was kept that was not. Used from one
/// activation's turns only.
/// </summary>
/// <param name="write">One write of a copy of the grain's data by <see cref="StateWriteRule"/>.</param>
/// <param name="reloaded">Called after a failed write.</param>
internal sealed class GroupCommit(Func<Task> write, Action reloaded)
{
    private TaskCompletionSource? waiting;
    private bool writing;

    /// <summary>Completes when the state, with every change made before this call, is stored.</summary>
    public Task Save()
    {
        waiting ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var saved = waiting.Task;
        if (!writing)
        {
            _ = WriteWhileWaiting();
        }

        return saved;
    }

    private async Task WriteWhileWaiting()
    {
        writing = true;
        try
        {
            while (waiting is { } batch)
            {
                waiting = null;
                try
                {
                    await write();
                    batch.SetResult();
                }
                catch (Exception failed)
                {
                    reloaded();
                    var behind = waiting;
                    waiting = null;
                    batch.SetException(failed);
                    behind?.SetException(failed);
                }
            }
        }
        finally
        {
            writing = false;
        }
    }
}
