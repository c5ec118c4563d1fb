namespace FleetPods.Grains.Scheduling;

/// <summary>
/// The cluster's view of its nodes for placement, keyed by 0. Each node grain reports what it is when that changes
/// (its capacity, reservations and pods, or that it is down); each silo's scheduler keeps a copy and asks only for what
/// changed since its version, so no placement asks every node. Soft state: it is never stored, and a new activation
/// (after its silo died) asks the live nodes once and goes on from their reports.
/// </summary>
internal interface INodeViewGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Takes nodes' reports, each unless one its node sent later was already taken (so a report sent again is harmless).
    /// A silo's node grains send theirs together (<see cref="NodeReportSender"/>).
    /// </summary>
    Task Report(NodeReport[] reports);

    /// <summary>What changed since <paramref name="since"/>: every node when it is of another activation or too old.</summary>
    Task<NodeViewChanges> Changes(NodeViewVersion since);
}
