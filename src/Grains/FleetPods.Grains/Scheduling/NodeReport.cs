namespace FleetPods.Grains.Scheduling;

/// <summary>What a node is now, as its grain tells the <see cref="INodeViewGrain"/>.</summary>
/// <param name="Info">The node, or null when it is down (its agent silent, its silo dead).</param>
/// <param name="Sequence">
/// Orders one node's reports, which are sent without waiting and may arrive out of order: the clock's ticks when the
/// node grain activated, plus one per report, so a later activation's reports follow an earlier one's.
/// </param>
[GenerateSerializer, Immutable]
internal sealed record NodeReport([property: Id(0)] string Name, [property: Id(1)] NodeInfo? Info, [property: Id(2)] long Sequence)
{
    /// <summary>A sequence that follows every report sent so far: for a node declared down by someone else than its grain.</summary>
    public static long Now => DateTime.UtcNow.Ticks;
}
