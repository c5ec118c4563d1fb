namespace FleetPods.NodeRuntime;

/// <summary>Where a pod volume's files live.</summary>
public enum PodVolumeKind
{
    /// <summary>A directory of the node, given by path.</summary>
    Host,

    /// <summary>A new empty directory in the pod's tree, shared by its apps and removed with the pod.</summary>
    Empty,
}
