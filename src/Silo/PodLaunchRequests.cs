using FleetPods.Grains;
using FleetPods.NodeRuntime;
using Units = FleetPods.Grains.UnitFiles;

namespace FleetPods.Silo;

/// <summary>Translates the cluster's pod contract into the node runtime's launch request.</summary>
public static class PodLaunchRequests
{
    public static PodLaunchRequest From(string podId, string imageDigest, PodSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var app = new PodAppRequest(
            "app",
            spec.Pod.Exec,
            [.. spec.Pod.Environment.Select(v => KeyValuePair.Create(v.Name, v.Value))],
            spec.Pod.WorkingDirectory,
            spec.Pod.User,
            spec.Pod.Group);
        return new PodLaunchRequest(podId, imageDigest, app)
        {
            Stage1 = spec.Pod.Stage1 switch
            {
                Units.Stage1Flavor.Kvm => Stage1Flavor.Kvm,
                Units.Stage1Flavor.Fly => Stage1Flavor.Fly,
                _ => Stage1Flavor.Ns,
            },
            Overlay = spec.Pod.Overlay,
            PrivateUsers = spec.Pod.PrivateUsers,
            VolumeCount = spec.Pod.Volumes.Count,
            PortCount = spec.Pod.Ports.Count,
        };
    }
}
