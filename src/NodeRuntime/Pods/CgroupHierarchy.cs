namespace FleetPods.NodeRuntime.Pods;

/// <summary>One cgroup hierarchy pods are placed in, with the controllers this node uses from it.</summary>
/// <param name="Directory">Where the pods' cgroups of this hierarchy go (one directory per pod below it).</param>
/// <param name="MountPoint">The hierarchy's mount point (v2: where the controllers are delegated from).</param>
internal sealed record CgroupHierarchy(string Directory, bool Version2, IReadOnlyList<string> Controllers, string MountPoint);
