namespace FleetPods.Grains.Nodes;

/// <summary>What a node holds for a pod placed on it: the pod, as placement weighs it, and the room it takes.</summary>
[GenerateSerializer, Immutable]
internal sealed record PodClaim([property: Id(0)] PlacedPod Pod, [property: Id(1)] ResourceRequest Resources);
