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
            spec.Exec,
            [.. spec.Environment.Select(v => KeyValuePair.Create(v.Name, v.Value))],
            spec.WorkingDirectory,
            spec.User,
            spec.Group);
        return new PodLaunchRequest(podId, imageDigest, app)
        {
            Stage1 = spec.Stage1 switch
            {
                Units.Stage1Flavor.Kvm => Stage1Flavor.Kvm,
                Units.Stage1Flavor.Fly => Stage1Flavor.Fly,
                _ => Stage1Flavor.Ns,
            },
            Overlay = spec.Overlay,
            PrivateUsers = spec.PrivateUsers,
            VolumeCount = spec.Volumes.Count,
            PortCount = spec.Ports.Count,
        };
    }
}
