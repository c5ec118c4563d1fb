using FleetPods.Grains.UnitFiles;

namespace FleetPods.Grains.Tests.Scheduling;

/// <summary>Nodes and placement requests for the pipeline's unit tests, in an in-memory snapshot.</summary>
internal static class SchedulingData
{
    public static NodeInfo Node(string name, long freeMemory = 8L << 30, int freeCpu = 4000, string metadata = "", Stage1Flavor[]? flavors = null, params PlacedPod[] pods) => new(
        name, name, Metadata(metadata), new ResourceRequest(8L << 30, 4000),
        new ResourceRequest((8L << 30) - freeMemory, 4000 - freeCpu), pods.Length, flavors ?? Enum.GetValues<Stage1Flavor>(), DateTimeOffset.UnixEpoch)
    {
        Pods = pods,
    };

    public static PlacementRequest Request(
        string unit = "web.pod", long memory = 0, int cpu = 0, string? machineId = null, string? machineOf = null,
        string metadata = "", string[]? conflicts = null, string? requiredNode = null, string? replaces = null, Stage1Flavor stage1 = Stage1Flavor.Ns) =>
        new($"pod-of-{unit}", unit, new ResourceRequest(memory, cpu),
            new FleetSection(machineId, machineOf, Requirements(metadata), conflicts ?? [], false, replaces), requiredNode) { Stage1 = stage1 };

    public static PlacedPod Pod(string unit, params string[] conflicts) => new($"pod-of-{unit}-placed", unit, conflicts);

    private static Dictionary<string, string> Metadata(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=')).ToDictionary(p => p[0], p => p[1]);

    private static MetadataRequirement[] Requirements(string text) =>
        [.. text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=')).Select(p => new MetadataRequirement(p[0], p[1]))];
}
