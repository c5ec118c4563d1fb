namespace FleetPods.NodeRuntime;

/// <summary>
/// One layer of an image, bottom first in <see cref="ImageRecord.Layers"/>: the blob it is extracted from
/// (an ACI, or an OCI/docker layer tar) and the size of the tree it expands to.
/// </summary>
public sealed record ImageLayer(string Digest, ImageLayerKind Kind, long ExpandedBytes);
