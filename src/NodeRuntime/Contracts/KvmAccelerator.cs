namespace FleetPods.NodeRuntime;

/// <summary>How qemu runs a stage1 <c>kvm</c> pod's guest.</summary>
public enum KvmAccelerator
{
    /// <summary>KVM where a probe boot of the guest kernel succeeds on it, else TCG; probed once per node, kernel and qemu.</summary>
    Auto,

    /// <summary>Hardware virtualisation through /dev/kvm.</summary>
    Kvm,

    /// <summary>qemu's own translator: slower, but boots wherever qemu runs.</summary>
    Tcg,
}
