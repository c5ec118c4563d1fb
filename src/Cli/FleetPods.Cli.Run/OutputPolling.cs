namespace FleetPods.Cli;

/// <summary>
/// The pause between two reads of a pod's output (its log, or an enter session's): none to speak of after output came,
/// since a short command (the common <c>run</c>) has often ended by the next read, then doubling while nothing comes,
/// so a long-running pod costs next to nothing.
/// </summary>
public sealed class OutputPolling
{
    private static readonly TimeSpan First = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan Idle = TimeSpan.FromMilliseconds(25);
    private TimeSpan next = First;

    /// <summary>Output came: the next read follows at once.</summary>
    public void Reset() => next = First;

    /// <summary>Nothing came: waits, and longer next time.</summary>
    public async Task Wait(CancellationToken cancellationToken)
    {
        await Task.Delay(next, cancellationToken);
        next = TimeSpan.FromTicks(Math.Min(next.Ticks * 2, Idle.Ticks));
    }
}
