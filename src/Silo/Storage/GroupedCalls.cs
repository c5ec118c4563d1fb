namespace FleetPods.Silo.Storage;

/// <summary>
/// Group commit across callers: requests that arrive while a batch is in flight wait and go together in the next one,
/// so a burst of N grains' writes costs a few transactions instead of N, and a lone request still goes at once. One
/// batch is in flight at a time; whoever finds none running starts draining on the thread pool, so there is no
/// background loop to start or stop. A request whose <paramref name="exclusiveKey"/> is already in the forming batch
/// waits for the next one, so a batch never holds two changes of one row.
/// </summary>
internal sealed class GroupedCalls<TRequest, TResult>(
    Func<IReadOnlyList<TRequest>, Task<TResult[]>> run, int maxBatch, Func<TRequest, object>? exclusiveKey = null)
{
    private readonly Lock gate = new();
    private readonly LinkedList<(TRequest Request, TaskCompletionSource<TResult> Answer)> queued = new();
    private bool draining;

    public Task<TResult> Call(TRequest request)
    {
        var answer = new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        bool start;
        lock (gate)
        {
            queued.AddLast((request, answer));
            start = !draining;
            draining = true;
        }

        if (start)
        {
            _ = Task.Run(Drain);
        }

        return answer.Task;
    }

    private async Task Drain()
    {
        while (NextBatch() is { } batch)
        {
            try
            {
                var results = await run([.. batch.Select(b => b.Request)]);
                if (results.Length != batch.Count)
                {
                    throw new InvalidOperationException($"a batch of {batch.Count} requests was answered {results.Length} times");
                }

                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Answer.SetResult(results[i]);
                }
            }
            catch (Exception failed)
            {
                foreach (var (_, answer) in batch)
                {
                    answer.SetException(failed);
                }
            }
        }
    }

    private List<(TRequest Request, TaskCompletionSource<TResult> Answer)>? NextBatch()
    {
        lock (gate)
        {
            if (queued.Count == 0)
            {
                draining = false;
                return null;
            }

            var batch = new List<(TRequest, TaskCompletionSource<TResult>)>(Math.Min(queued.Count, maxBatch));
            var keys = exclusiveKey is null ? null : new HashSet<object>();
            for (var node = queued.First; node is not null && batch.Count < maxBatch;)
            {
                var next = node.Next;
                if (keys is null || keys.Add(exclusiveKey!(node.Value.Request)))
                {
                    batch.Add(node.Value);
                    queued.Remove(node);
                }

                node = next;
            }

            return batch;
        }
    }
}
