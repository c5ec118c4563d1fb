namespace FleetPods.NodeRuntime.Kvm;

/// <summary>The names of the virtio-serial ports the guest's init looks for (see Native/Guest/guest-init.c).</summary>
internal static class GuestPorts
{
    public const string Control = "fleetpods.ctl";

    public const string Output = "fleetpods.out";

    /// <summary>The <c>fleetpods enter</c> sessions, multiplexed (see Native/enter-frames.h).</summary>
    public const string Enter = "fleetpods.enter";
}
