using FleetPods.Grains.UnitFiles;

namespace FleetPods.Grains.Security;

/// <summary>
/// The pod security policy's classification, in one place for every way a pod is described (unit files, <c>run</c>'s
/// flags, the node's launch): a pod is <see cref="PodSecurityLevel.Privileged"/> when a setting reaches the node —
/// a host volume the policy does not name, <c>Stage1=fly</c>, <c>Network=host</c>, a host port below 1024,
/// <c>PrivateUsers=no</c> on stage1 ns — and <see cref="PodSecurityLevel.Baseline"/> otherwise.
/// </summary>
public static class PodSecurity
{
    /// <summary>The lowest host port an unprivileged process may bind (the kernel's default ip_unprivileged_port_start).</summary>
    public const int FirstUnprivilegedPort = 1024;

    /// <summary>Classifies <paramref name="pod"/> under <paramref name="policy"/>.</summary>
    /// <param name="resolve">
    /// The node's view of a path, symbolic links and <c>..</c> resolved, or null where the path does not exist; without
    /// it (in the cluster, away from the node) paths are compared after resolving <c>.</c> and <c>..</c> only.
    /// </param>
    public static PodSecurityClass Classify(PodSection pod, PodPolicy policy, Func<string, string?>? resolve = null)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(policy);
        var uses = new List<PrivilegedUse>();
        foreach (var volume in pod.Volumes.Where(v => v.Kind == VolumeKind.Host))
        {
            if (FindPolicyPath(volume, policy, resolve) is null)
            {
                var readOnlyOnly = policy.HostVolumes.Values.Any(p => p.ReadOnly && !volume.ReadOnly && Normalize(volume.Source, resolve) is { } source && source == Normalize(p.Path, resolve));
                uses.Add(new PrivilegedUse(PrivilegedSetting.HostVolume, "Volume", volume.Name,
                    readOnlyOnly ? $"Volume={volume.Name} kind=host without readOnly=true (the pod policy shares {volume.Source} read-only)" : $"Volume={volume.Name} kind=host"));
            }
        }

        var traits = Stage1Traits.Of(pod.Stage1);
        if (traits.Privileged)
        {
            uses.Add(new PrivilegedUse(PrivilegedSetting.Stage1Fly, "Stage1", null, "Stage1=fly"));
        }
        else if (pod.Network == PodNetwork.Host)
        {
            uses.Add(new PrivilegedUse(PrivilegedSetting.HostNetwork, "Network", null, "Network=host"));
        }

        foreach (var port in pod.Ports.Where(p => p.HostPort < FirstUnprivilegedPort))
        {
            uses.Add(new PrivilegedUse(PrivilegedSetting.LowHostPort, "Port", port.Name, $"Port={port.Name}:{port.HostPort} (host port below {FirstUnprivilegedPort})"));
        }

        if (traits.SharesNodeIdsWithoutPrivateUsers && !pod.PrivateUsers)
        {
            uses.Add(new PrivilegedUse(PrivilegedSetting.SharedUserIds, "PrivateUsers", null, "PrivateUsers=no"));
        }

        return new PodSecurityClass(uses);
    }

    /// <summary>
    /// The policy's path that <paramref name="volume"/> (a host volume) mounts, resolved as <paramref name="resolve"/>
    /// sees it, or null when the policy names none for it. Only the named directory itself counts, not paths below it:
    /// a pod that may write there could plant a link below it that a later pod's source would follow out of it.
    /// </summary>
    public static string? FindPolicyPath(VolumeSpec volume, PodPolicy policy, Func<string, string?>? resolve = null)
    {
        ArgumentNullException.ThrowIfNull(volume);
        ArgumentNullException.ThrowIfNull(policy);
        if (volume.Kind != VolumeKind.Host || Normalize(volume.Source, resolve) is not { } source)
        {
            return null;
        }

        return policy.HostVolumes.Values
            .Where(p => volume.ReadOnly || !p.ReadOnly)
            .Select(p => Normalize(p.Path, resolve))
            .FirstOrDefault(path => path == source);
    }

    /// <summary>An absolute path with <c>.</c>, <c>..</c> and repeated slashes resolved (and, given <paramref name="resolve"/>, links); null if not absolute or missing.</summary>
    private static string? Normalize(string? path, Func<string, string?>? resolve)
    {
        if (path is null || !path.StartsWith('/') || path.Contains('\0', StringComparison.Ordinal))
        {
            return null;
        }

        if (resolve is not null)
        {
            return resolve(path);
        }

        var parts = new List<string>();
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }
            }
            else if (part != ".")
            {
                parts.Add(part);
            }
        }

        return "/" + string.Join('/', parts);
    }
}
