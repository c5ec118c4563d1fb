using FleetPods.NodeRuntime.Flavors;

namespace FleetPods.NodeRuntime.Pods;

/// <summary>What a node refuses in a launch request before anything is made for it (what its flavor refuses included); each refusal says what to change.</summary>
internal static class PodRequestCheck
{
    /// <summary>Checks the request against what this node and <paramref name="stage1"/> can do, and returns the network the pod gets.</summary>
    /// <exception cref="PodLaunchException">The request cannot run here; the message says why.</exception>
    public static PodNetworkMode Check(PodLaunchRequest request, IStage1 stage1)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(stage1);
        var network = request.Network ?? stage1.DefaultNetwork;
        var refusal = stage1.Refuse(request, network) ?? request switch
        {
            { MoreApps.Count: > 0 } when request.Input || request.Terminal is not null => "input and a terminal reach one app: the pod has several",
            { Ports.Count: > 0 } when network != PodNetworkMode.Default => "Port= forwards to the pod's own address: it needs the default network",
            { MemoryBytes: <= 0 } => "Memory= must be positive",
            { CpuMillis: <= 0 } => "CPU= must be positive",
            _ => null,
        };
        if (refusal is not null)
        {
            throw new PodLaunchException(refusal);
        }

        CheckApps(request);
        CheckVolumes(request);
        CheckPorts(request);
        return network;
    }

    private static void CheckApps(PodLaunchRequest request)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var app in request.Apps)
        {
            if (!PodDirectory.IsValidId(app.Name))
            {
                throw new PodLaunchException($"app name '{app.Name}' is not 1 to 64 characters of [a-z0-9-]");
            }

            if (!names.Add(app.Name))
            {
                throw new PodLaunchException($"two apps are named '{app.Name}'");
            }

            foreach (var mount in app.Mounts)
            {
                if (!request.Volumes.Any(v => v.Name == mount.Volume))
                {
                    throw new PodLaunchException($"app {app.Name} mounts volume '{mount.Volume}', which the pod does not declare");
                }

                if (!IsCleanAbsolute(mount.Target) || mount.Target == "/")
                {
                    throw new PodLaunchException($"app {app.Name}: mount target '{mount.Target}' is not an absolute path below / without '.', '..' or NUL");
                }
            }
        }
    }

    private static void CheckVolumes(PodLaunchRequest request)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var volume in request.Volumes)
        {
            if (!PodDirectory.IsValidId(volume.Name) || !names.Add(volume.Name))
            {
                throw new PodLaunchException($"volume name '{volume.Name}' is repeated or not 1 to 64 characters of [a-z0-9-]");
            }

            if (volume.Kind == PodVolumeKind.Host && (volume.Source is not { } source || !IsCleanAbsolute(source) || !Directory.Exists(source)))
            {
                throw new PodLaunchException($"volume {volume.Name}: source '{volume.Source}' is not an existing directory of this node (an absolute path)");
            }
        }
    }

    private static void CheckPorts(PodLaunchRequest request)
    {
        foreach (var port in request.Ports)
        {
            if (port.HostPort is < 1 or > 65535 || port.PodPort is < 1 or > 65535)
            {
                throw new PodLaunchException($"port {port.Name}: {port.HostPort}:{port.PodPort} is not two ports from 1 to 65535");
            }
        }

        var repeated = request.Ports.GroupBy(p => (p.HostPort, p.Protocol)).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null)
        {
            throw new PodLaunchException($"host port {repeated.Key.HostPort}/{repeated.Key.Protocol.ToString().ToLowerInvariant()} is forwarded twice");
        }
    }

    private static bool IsCleanAbsolute(string path) =>
        path.StartsWith('/') && !path.Contains('\0', StringComparison.Ordinal)
        && path.Split('/', StringSplitOptions.RemoveEmptyEntries).All(part => part is not "." and not "..");
}
