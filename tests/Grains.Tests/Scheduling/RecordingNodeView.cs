using System.Threading.Channels;
using FleetPods.Grains.Scheduling;

namespace FleetPods.Grains.Tests.Scheduling;

/// <summary>
/// A node view double that records each call of <see cref="INodeViewGrain.Report"/> and, when the test answers each
/// call itself, holds it until told to take it or to fail it as a call to a dead silo does.
/// </summary>
internal sealed class RecordingNodeView(bool answeredByTest) : INodeViewGrain
{
    private readonly Lock gate = new();
    private readonly List<NodeReport[]> calls = [];
    private readonly Dictionary<string, NodeReport> taken = new(StringComparer.Ordinal);
    private readonly Channel<bool> verdicts = Channel.CreateUnbounded<bool>();

    public int CallCount
    {
        get
        {
            lock (gate)
            {
                return calls.Count;
            }
        }
    }

    public IReadOnlyList<NodeReport[]> Calls
    {
        get
        {
            lock (gate)
            {
                return [.. calls];
            }
        }
    }

    /// <summary>The last report of each node in a call that was taken, whatever its sequence (so a stale one sent late shows).</summary>
    public IReadOnlyDictionary<string, NodeReport> Taken
    {
        get
        {
            lock (gate)
            {
                return new Dictionary<string, NodeReport>(taken, StringComparer.Ordinal);
            }
        }
    }

    /// <summary>Lets the oldest held call end: taken, or failed.</summary>
    public void Answer(bool take) => verdicts.Writer.TryWrite(take);

    public async Task Report(NodeReport[] reports)
    {
        lock (gate)
        {
            calls.Add(reports);
        }

        if (answeredByTest && !await verdicts.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)))
        {
            throw new SiloUnavailableException("the node view's silo died");
        }

        lock (gate)
        {
            foreach (var report in reports)
            {
                taken[report.Name] = report;
            }
        }
    }

    public Task<NodeViewChanges> Changes(NodeViewVersion since) => throw new NotSupportedException("the double takes reports only");
}
