using System.Globalization;

namespace FleetPods.NodeRuntime.Tests;

/// <summary>What the host's cgroup tree says about a process: its cgroup per controller and their limits.</summary>
internal static class TestCgroups
{
    private static readonly string[] Controllers = ["memory", "cpu", "pids"];

    /// <summary>The directory of the process's cgroup for memory, cpu and pids (v1 or v2).</summary>
    public static Dictionary<string, string> Of(int pid)
    {
        var mounts = CgroupMount.ReadAll(File.ReadLines("/proc/self/mountinfo"));
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var fields in File.ReadLines($"/proc/{pid}/cgroup").Select(l => l.Split(':', 3)))
        {
            foreach (var controller in Controllers.Where(c => !found.ContainsKey(c)))
            {
                var mount = fields[0] == "0"
                    ? mounts.FirstOrDefault(m => m.Version2 && File.ReadAllText(Path.Combine(m.MountPoint, "cgroup.controllers")).Split(' ', StringSplitOptions.TrimEntries).Contains(controller))
                    : fields[1].Split(',').Contains(controller) ? mounts.FirstOrDefault(m => !m.Version2 && m.Controllers.Contains(controller)) : null;
                if (mount is not null)
                {
                    found[controller] = mount.MountPoint + fields[2];
                }
            }
        }

        return found;
    }

    public static long MemoryLimit(Dictionary<string, string> cgroups) =>
        long.Parse(Read(cgroups["memory"], "memory.limit_in_bytes", "memory.max"), CultureInfo.InvariantCulture);

    public static int CpuMillis(Dictionary<string, string> cgroups)
    {
        var directory = cgroups["cpu"];
        var (quota, period) = File.Exists(Path.Combine(directory, "cpu.max"))
            ? (File.ReadAllText(Path.Combine(directory, "cpu.max")).Split(' ')[0], File.ReadAllText(Path.Combine(directory, "cpu.max")).Split(' ')[1])
            : (File.ReadAllText(Path.Combine(directory, "cpu.cfs_quota_us")), File.ReadAllText(Path.Combine(directory, "cpu.cfs_period_us")));
        return (int)(long.Parse(quota, CultureInfo.InvariantCulture) * 1000 / long.Parse(period, CultureInfo.InvariantCulture));
    }

    public static int PidsLimit(Dictionary<string, string> cgroups) => int.Parse(Read(cgroups["pids"], "pids.max", "pids.max"), CultureInfo.InvariantCulture);

    private static string Read(string directory, string version1, string version2) =>
        File.ReadAllText(Path.Combine(directory, File.Exists(Path.Combine(directory, version1)) ? version1 : version2)).Trim();
}
