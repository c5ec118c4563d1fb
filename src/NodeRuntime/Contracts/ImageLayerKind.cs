namespace FleetPods.NodeRuntime;

/// <summary>How a layer's blob becomes a tree.</summary>
public enum ImageLayerKind
{
    /// <summary>An ACI: its <c>rootfs/</c> is the tree.</summary>
    Aci,

    /// <summary>An OCI or docker layer: a tar whose <c>.wh.</c> entries become overlayfs whiteouts.</summary>
    Changeset,
}
