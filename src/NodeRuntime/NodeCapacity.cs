using System.Globalization;

namespace FleetPods.NodeRuntime;

/// <summary>What this machine has for pods: its CPUs and the memory /proc/meminfo reports.</summary>
public static class NodeCapacity
{
    public static NodeResources Read()
    {
        var memTotal = File.ReadLines("/proc/meminfo")
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length >= 2 && fields[0] == "MemTotal:")
            .Select(fields => long.Parse(fields[1], CultureInfo.InvariantCulture) * 1024)
            .FirstOrDefault();
        return new NodeResources(Environment.ProcessorCount * 1000, memTotal);
    }
}
