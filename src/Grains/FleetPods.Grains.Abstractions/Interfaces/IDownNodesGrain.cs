namespace FleetPods.Grains;

/// <summary>
/// The agents' nodes that went down, kept apart from the live nodes (the <see cref="RegistryKind.Nodes"/> registry) so
/// that nothing iterates over every node that once was: at most a bounded number, each for a retention period, the
/// oldest dropped first. <c>list-machines</c> shows them as down. Any key gives the same list; use <see cref="Key"/>.
/// </summary>
public interface IDownNodesGrain : IGrainWithIntegerKey
{
    /// <summary>The key to call it by.</summary>
    const long Key = 0;

    /// <summary>Records a node as down since now; one already recorded keeps its time.</summary>
    Task Add(string node);

    /// <summary>Forgets a node (its agent attached again); forgetting a missing one is harmless.</summary>
    Task Remove(string node);

    /// <summary>The nodes down within the retention period, in ordinal order of name.</summary>
    Task<IReadOnlyList<string>> List();
}
