namespace FleetPods.NodeRuntime.Kvm;

/// <summary>A host directory exported to the guest by 9p: an app's root or a volume. The guest mounts it at <see cref="GuestPath"/>.</summary>
internal sealed record GuestShare(string Tag, string HostPath, bool ReadOnly)
{
    public string GuestPath => "/fleetpods/9p/" + Tag;
}
