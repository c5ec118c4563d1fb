namespace FleetPods.Grains;

/// <summary>A piece of an image's archive as one node serves it to another.</summary>
[GenerateSerializer, Immutable]
public sealed record ImageTransferChunk(
    [property: Id(0)] byte[] Data,
    [property: Id(1)] long TotalBytes);
