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
        var pod = spec.Pod;
        var app = new PodAppRequest(
            "app",
            pod.Exec,
            [.. pod.Environment.Select(v => KeyValuePair.Create(v.Name, v.Value))],
            pod.WorkingDirectory,
            pod.User,
            pod.Group)
        {
            Mounts = [.. pod.Mounts.Select(m => new PodMount(m.Volume, m.Target))],
        };
        return new PodLaunchRequest(podId, imageDigest, app)
        {
            Stage1 = pod.Stage1 switch
            {
                Units.Stage1Flavor.Kvm => Stage1Flavor.Kvm,
                Units.Stage1Flavor.Fly => Stage1Flavor.Fly,
                _ => Stage1Flavor.Ns,
            },
            Overlay = pod.Overlay,
            PrivateUsers = pod.PrivateUsers,
            MemoryBytes = pod.MemoryBytes,
            CpuMillis = pod.CpuMillis,
            Volumes = [.. pod.Volumes.Select(v => new PodVolume(v.Name, v.Kind == Units.VolumeKind.Host ? PodVolumeKind.Host : PodVolumeKind.Empty, v.Source, v.ReadOnly))],
            Ports = [.. pod.Ports.Select(p => new PodPortForward(p.Name, p.HostPort, p.PodPort, p.Protocol == Units.PortProtocol.Udp ? PodPortProtocol.Udp : PodPortProtocol.Tcp))],
        };
    }
}
