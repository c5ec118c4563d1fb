using FleetPods.NodeRuntime.Pods;

namespace FleetPods.NodeRuntime.Flavors;

/// <summary>Stage1 <c>ns</c>, the default: the pod's own namespaces (PID, mount, UTS, IPC, network, users) and cgroups, and the confinement of runc's defaults.</summary>
internal sealed class NsStage1(NamespaceLauncher launcher) : HostProcessStage1(launcher)
{
    public override Stage1Flavor Flavor => Stage1Flavor.Ns;

    public override PodNetworkMode DefaultNetwork => PodNetworkMode.Default;

    protected override IReadOnlyList<string> EnterOptions => [];

    public override string? Refuse(PodLaunchRequest request, PodNetworkMode network) => null;
}
