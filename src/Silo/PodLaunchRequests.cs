using FleetPods.Grains;
using FleetPods.NodeRuntime;
using Units = FleetPods.Grains.UnitFiles;

namespace FleetPods.Silo;

/// <summary>Translates the cluster's pod contract into the node runtime's launch request.</summary>
public static class PodLaunchRequests
{
    /// <param name="imageDigests">The digest of every image the pod names (its own and its apps'), as this node's store resolved them.</param>
    public static PodLaunchRequest From(string podId, PodSpec spec, IReadOnlyDictionary<string, string> imageDigests)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(imageDigests);
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
            SupplementaryGroups = pod.SupplementaryGroups,
        };
        return new PodLaunchRequest(podId, imageDigests[pod.Image], app)
        {
            MoreApps = [.. pod.Apps.Select(a => new PodAppRequest(
                a.Name,
                a.Exec,
                [.. a.Environment.Select(v => KeyValuePair.Create(v.Name, v.Value))],
                a.WorkingDirectory,
                a.User,
                a.Group)
            {
                ImageDigest = imageDigests[a.Image],
                Mounts = [.. a.Mounts.Select(m => new PodMount(m.Volume, m.Target))],
                SupplementaryGroups = a.SupplementaryGroups,
            })],
            // The validated spec names the network its flavor gives (Stage1Traits), given or not.
            Network = pod.Network switch
            {
                Units.PodNetwork.Host => PodNetworkMode.Host,
                Units.PodNetwork.None => PodNetworkMode.None,
                _ => PodNetworkMode.Default,
            },
            Stage1 = pod.Stage1 switch
            {
                Units.Stage1Flavor.Kvm => Stage1Flavor.Kvm,
                Units.Stage1Flavor.Fly => Stage1Flavor.Fly,
                _ => Stage1Flavor.Ns,
            },
            Input = spec.Console?.Input ?? false,
            Terminal = spec.Console?.Terminal is { } terminal ? new PodTerminalSize(terminal.Rows, terminal.Columns) : null,
            Overlay = pod.Overlay,
            PrivateUsers = pod.PrivateUsers,
            MemoryBytes = pod.MemoryBytes,
            CpuMillis = pod.CpuMillis,
            Volumes = [.. pod.Volumes.Select(v => new PodVolume(v.Name, v.Kind == Units.VolumeKind.Host ? PodVolumeKind.Host : PodVolumeKind.Empty, v.Source, v.ReadOnly))],
            Ports = [.. pod.Ports.Select(p => new PodPortForward(p.Name, p.HostPort, p.PodPort, p.Protocol == Units.PortProtocol.Udp ? PodPortProtocol.Udp : PodPortProtocol.Tcp))],
        };
    }
}
