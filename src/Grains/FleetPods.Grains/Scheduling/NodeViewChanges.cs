namespace FleetPods.Grains.Scheduling;

/// <summary>The answer to <see cref="INodeViewGrain.Changes"/>.</summary>
/// <param name="Whole">Whether <see cref="Up"/> and <see cref="Down"/> are every node, to replace the copy rather than update it.</param>
/// <param name="Up">The nodes that are up, as last reported.</param>
/// <param name="Down">The names of the nodes that are down.</param>
[GenerateSerializer, Immutable]
internal sealed record NodeViewChanges(
    [property: Id(0)] NodeViewVersion Version,
    [property: Id(1)] bool Whole,
    [property: Id(2)] NodeInfo[] Up,
    [property: Id(3)] string[] Down);
