namespace FleetPods.Grains.UnitFiles;

/// <summary>How a pod is isolated, as <c>Stage1=</c> names it.</summary>
public enum Stage1Flavor
{
    /// <summary><c>ns</c>: Linux namespaces and cgroups (the default).</summary>
    Ns,

    /// <summary><c>kvm</c>: the whole pod inside a microVM with its own kernel.</summary>
    Kvm,

    /// <summary><c>fly</c>: chroot only, for privileged system pods.</summary>
    Fly,
}
