namespace FleetPods.Grains.UnitFiles;

/// <summary>Where a volume's contents come from (rkt's <c>kind=</c>).</summary>
public enum VolumeKind
{
    /// <summary><c>kind=host</c>: a directory of the node, given by <c>source=</c>.</summary>
    Host,

    /// <summary><c>kind=empty</c>: a fresh empty directory that lives as long as the pod.</summary>
    Empty,
}
