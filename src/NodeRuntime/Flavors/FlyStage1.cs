using FleetPods.NodeRuntime.Pods;

namespace FleetPods.NodeRuntime.Flavors;

/// <summary>Stage1 <c>fly</c>: one app chrooted into its image in a mount namespace of its own, sharing everything else with the node, for privileged system pods.</summary>
internal sealed class FlyStage1(NamespaceLauncher launcher) : HostProcessStage1(launcher)
{
    public override Stage1Flavor Flavor => Stage1Flavor.Fly;

    public override PodNetworkMode DefaultNetwork => PodNetworkMode.Host;

    protected override IReadOnlyList<string> EnterOptions => ["--stage1", "fly"];

    public override string? Refuse(PodLaunchRequest request, PodNetworkMode network) => request switch
    {
        { PrivateUsers: true } => "stage1 fly runs in the host's user ids: PrivateUsers= needs stage1 ns",
        { MoreApps.Count: > 0 } => "stage1 fly runs one app: several apps need stage1 ns",
        _ when network != PodNetworkMode.Host => "stage1 fly shares the host's network: --net=host only",
        _ => null,
    };
}
