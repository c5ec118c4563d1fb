using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace FleetPods.Grains.Scheduling;

/// <summary>
/// The reports of all this silo's node grains on their way to the <see cref="INodeViewGrain"/>, in few calls: reports
/// made while a call is in flight, or on a busy silo within <see cref="GatherFor"/> before it, go together in the next
/// (group commit: a burst of N costs a few calls instead of N), and of one node's reports waiting only the latest goes
/// (<see cref="NodeReport.Sequence"/>).
/// One call is in flight at a time; whoever finds none running starts sending on the thread pool, so there is no loop
/// to start or stop. Waiting reports are bounded by the silo's node grains: one each.
/// <para>
/// A call that fails (the view's silo died, say) puts its reports back behind any later one of the same node, and the
/// next call is tried after a back-off: the view's next activation asks the nodes, and the reports then bring what it
/// asked up to date (a report sent again is dropped where a later one was taken), so a failed call never leaves a node
/// out of placement until its next change.
/// </para>
/// </summary>
internal sealed class NodeReportSender(INodeViewGrain view, ILogger<NodeReportSender> logger) : IDisposable
{
    /// <summary>The most reports in one call: a node's report carries its pods, so a call stays a few hundred kB.</summary>
    public const int MaxBatch = 256;

    /// <summary>
    /// How long the first report waits for others before a call goes, on a silo whose last call went out less than
    /// <see cref="BusyWithin"/> before. A call to the view returns in well under a millisecond, while a busy server
    /// places a pod every half millisecond or so, so without it reports seldom overlap a call: measured at N=1,000,
    /// 1.1 reports a call without, 18 with. Its own placements do not wait on it (the scheduler counts its own
    /// reservations until the node's report carries them); another silo's scheduler sees a node fill 2 ms later. A quiet
    /// silo's report goes at once, so a small cluster's view is as fresh as its nodes.
    /// </summary>
    public static readonly TimeSpan GatherFor = TimeSpan.FromMilliseconds(2);

    /// <summary>A silo whose last call to the view went out within this is busy: its next report waits <see cref="GatherFor"/>.</summary>
    public static readonly TimeSpan BusyWithin = TimeSpan.FromMilliseconds(20);

    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxRetry = TimeSpan.FromSeconds(5);

    private readonly Lock gate = new();
    private readonly Dictionary<string, Waiting> waiting = new(StringComparer.Ordinal);

    // The nodes waiting, oldest first, so a node is sent within a few batches however busy the others are.
    private readonly Queue<string> order = new();
    private readonly CancellationTokenSource stopping = new();
    private bool sending;
    private long lastCallAt;

    /// <summary>
    /// Sends <paramref name="report"/> with the next call. Completes once the view took it or a later report of the same
    /// node; fails if that call failed (the report is sent again all the same).
    /// </summary>
    public Task Send(NodeReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        Task sent;
        bool start;
        lock (gate)
        {
            sent = Enqueue(report).Sent.Task;
            start = !sending;
            sending = true;
        }

        if (start)
        {
            _ = Task.Run(SendWhileWaiting);
        }

        return sent;
    }

    public void Dispose()
    {
        stopping.Cancel();
        stopping.Dispose();
    }

    private async Task SendWhileWaiting()
    {
        if (Stopwatch.GetElapsedTime(Interlocked.Read(ref lastCallAt)) < BusyWithin)
        {
            await Task.Delay(GatherFor);
        }

        var retry = TimeSpan.Zero;
        while (Next() is { } batch)
        {
            Interlocked.Exchange(ref lastCallAt, Stopwatch.GetTimestamp());
            try
            {
                await view.Report([.. batch.Select(w => w.Report)]);
                foreach (var entry in batch)
                {
                    entry.Sent.TrySetResult();
                }

                if (retry != TimeSpan.Zero)
                {
                    logger.LogInformation("The node view takes this silo's node reports again");
                    retry = TimeSpan.Zero;
                }
            }
            catch (Exception failed)
            {
                Failed(batch, failed);
                if (retry == TimeSpan.Zero)
                {
                    logger.LogWarning("The node view did not take {Reports} node reports; they are sent again: {Reason}", batch.Count, failed.Message);
                }

                retry = retry == TimeSpan.Zero ? FirstRetry : TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, MaxRetry.Ticks));
                if (!await BackOff(retry))
                {
                    Abandon();
                    return;
                }
            }
        }
    }

    // False when the silo is stopping: its reports have no one left to send them.
    private async Task<bool> BackOff(TimeSpan wait)
    {
        try
        {
            await Task.Delay(wait, stopping.Token);
            return true;
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
            return false;
        }
    }

    private List<Waiting>? Next()
    {
        lock (gate)
        {
            if (order.Count == 0)
            {
                sending = false;
                return null;
            }

            var batch = new List<Waiting>(Math.Min(order.Count, MaxBatch));
            while (batch.Count < MaxBatch && order.TryDequeue(out var name))
            {
                waiting.Remove(name, out var entry);
                batch.Add(entry!);
            }

            return batch;
        }
    }

    // Whoever waited hears of the failure; the reports wait again, each behind its node's later one if there is one.
    private void Failed(List<Waiting> batch, Exception failed)
    {
        lock (gate)
        {
            foreach (var entry in batch)
            {
                // No one waits on a report sent again: a second failure of it is only logged.
                Enqueue(entry.Report).Sent.Task.Ignore();
            }
        }

        foreach (var entry in batch)
        {
            entry.Sent.TrySetException(failed);
        }
    }

    private void Abandon()
    {
        List<Waiting> left;
        lock (gate)
        {
            left = [.. waiting.Values];
            waiting.Clear();
            order.Clear();
            sending = false;
        }

        foreach (var entry in left)
        {
            entry.Sent.TrySetException(new OperationCanceledException("the silo is stopping: the node view was not told"));
        }
    }

    // Under the gate.
    private Waiting Enqueue(NodeReport report)
    {
        if (waiting.TryGetValue(report.Name, out var queued))
        {
            if (report.Sequence > queued.Report.Sequence)
            {
                queued.Report = report;
            }

            return queued;
        }

        var entry = new Waiting(report);
        waiting[report.Name] = entry;
        order.Enqueue(report.Name);
        return entry;
    }

    private sealed class Waiting(NodeReport report)
    {
        public NodeReport Report { get; set; } = report;

        public TaskCompletionSource Sent { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
