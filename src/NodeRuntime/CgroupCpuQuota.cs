using System.Globalization;

namespace FleetPods.NodeRuntime;

/// <summary>
/// The CPU quota of the cgroup this process runs in, in millicores, from cgroup v2 <c>cpu.max</c> or cgroup v1
/// <c>cpu.cfs_quota_us</c>/<c>cpu.cfs_period_us</c>; the tightest along the path up to the hierarchy's root.
/// Read by hand: no package reads cgroup limits, and .NET only exposes them rounded up to whole CPUs.
/// </summary>
internal static class CgroupCpuQuota
{
    /// <summary>The quota in millicores, or null when no cgroup on the way limits CPU time.</summary>
    public static int? ReadMillis()
    {
        int? tightest = null;
        foreach (var directory in CpuCgroupDirectories())
        {
            for (var current = directory.Path; current.Length >= directory.MountPoint.Length; current = Path.GetDirectoryName(current) ?? "")
            {
                if (QuotaIn(current, directory.Version2) is { } millis && (tightest is null || millis < tightest))
                {
                    tightest = millis;
                }
            }
        }

        return tightest;
    }

    private static int? QuotaIn(string directory, bool version2)
    {
        try
        {
            if (version2)
            {
                var maximum = File.ReadAllText(Path.Combine(directory, "cpu.max")).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                return maximum.Length == 2 ? Millis(maximum[0], maximum[1]) : null;
            }

            return Millis(File.ReadAllText(Path.Combine(directory, "cpu.cfs_quota_us")).Trim(), File.ReadAllText(Path.Combine(directory, "cpu.cfs_period_us")).Trim());
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    // "max" (v2) and -1 (v1) mean no quota.
    private static int? Millis(string quota, string period) =>
        long.TryParse(quota, NumberStyles.None, CultureInfo.InvariantCulture, out var q)
        && long.TryParse(period, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p > 0
            ? (int)Math.Min(int.MaxValue, q * 1000 / p)
            : null;

    /// <summary>This process's CPU cgroup directories: /proc/self/cgroup paths placed under their hierarchies' mount points.</summary>
    private static IEnumerable<(string Path, string MountPoint, bool Version2)> CpuCgroupDirectories()
    {
        var mounts = CgroupMount.ReadAll(File.ReadLines("/proc/self/mountinfo"));
        foreach (var line in File.ReadLines("/proc/self/cgroup"))
        {
            var fields = line.Split(':', 3);
            if (fields.Length != 3)
            {
                continue;
            }

            var version2 = fields[0] == "0" && fields[1].Length == 0;
            var mount = version2
                ? mounts.FirstOrDefault(m => m.Version2)
                : fields[1].Split(',').Contains("cpu") ? mounts.FirstOrDefault(m => !m.Version2 && m.Controllers.Contains("cpu")) : null;
            if (mount is null)
            {
                continue;
            }

            // In a container the mount's root is the container's own cgroup, and /proc/self/cgroup paths start with it.
            var path = fields[2];
            var relative = mount.Root != "/" && path.StartsWith(mount.Root, StringComparison.Ordinal) ? path[mount.Root.Length..] : path;
            yield return (Path.TrimEndingDirectorySeparator(mount.MountPoint + "/" + relative.TrimStart('/')), mount.MountPoint, version2);
        }
    }
}
