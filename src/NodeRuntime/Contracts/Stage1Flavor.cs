namespace FleetPods.NodeRuntime;

/// <summary>How a pod is isolated: namespaces and cgroups, a whole VM, or chroot only.</summary>
public enum Stage1Flavor
{
    Ns,
    Kvm,
    Fly,
}
