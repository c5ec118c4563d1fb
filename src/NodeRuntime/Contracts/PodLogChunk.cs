namespace FleetPods.NodeRuntime;

/// <summary>A piece of a pod's output. <see cref="Complete"/>: the pod has ended and this reaches the end of its log.</summary>
public sealed record PodLogChunk(byte[] Data, long NextOffset, bool Complete);
