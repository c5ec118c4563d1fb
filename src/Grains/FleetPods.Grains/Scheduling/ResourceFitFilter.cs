namespace FleetPods.Grains.Scheduling;

/// <summary>Keeps nodes whose free memory and CPU cover the request, as their node grains last reported it.</summary>
public sealed class ResourceFitFilter : INodeFilter
{
    public string? Reject(NodeInfo node, PlacementRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var wanted = request.Resources;
        return ShortageOn(node, wanted) switch
        {
            ResourceShortage.Memory => $"lack {ByteCount.Format(wanted.MemoryBytes)} free memory",
            ResourceShortage.Cpu => $"lack {wanted.CpuMillis}m free CPU",
            _ => null,
        };
    }

    /// <summary>What <paramref name="node"/> lacks first for <paramref name="wanted"/>, for the pipeline to say what matching nodes lacked.</summary>
    public static ResourceShortage ShortageOn(NodeInfo node, ResourceRequest wanted)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(wanted);
        return wanted.MemoryBytes > node.FreeMemoryBytes ? ResourceShortage.Memory
            : wanted.CpuMillis > node.FreeCpuMillis ? ResourceShortage.Cpu
            : ResourceShortage.None;
    }
}
