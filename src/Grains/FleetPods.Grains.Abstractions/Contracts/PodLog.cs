namespace FleetPods.Grains;

/// <summary>A piece of a pod's output, read from <see cref="Offset"/>.</summary>
/// <param name="NextOffset">Where the next read continues.</param>
/// <param name="Complete">The pod has ended and this piece reaches the end of its output.</param>
[GenerateSerializer, Immutable]
public sealed record PodLog(
    [property: Id(0)] long Offset,
    [property: Id(1)] byte[] Data,
    [property: Id(2)] long NextOffset,
    [property: Id(3)] bool Complete);
