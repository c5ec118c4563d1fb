using System.Globalization;

namespace FleetPods.NodeRuntime;

/// <summary>What this machine has for pods: its CPUs (or the cgroup's CPU quota, if tighter) and the memory /proc/meminfo reports.</summary>
internal static class NodeCapacity
{
    public static NodeResources Read()
    {
        var cpuMillis = Environment.ProcessorCount * 1000;
        if (CgroupCpuQuota.ReadMillis() is { } quota && quota > 0)
        {
            cpuMillis = Math.Min(cpuMillis, quota);
        }

        var memTotal = File.ReadLines("/proc/meminfo")
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length >= 2 && fields[0] == "MemTotal:")
            .Select(fields => long.Parse(fields[1], CultureInfo.InvariantCulture) * 1024)
            .FirstOrDefault();
        return new NodeResources(cpuMillis, memTotal);
    }
}
