namespace FleetPods.Grains.Scheduling;

/// <summary>Keeps nodes whose free memory and CPU cover the request, as their node grains last reported it.</summary>
public sealed class ResourceFitFilter : INodeFilter
{
    public string? Reject(NodeInfo node, PlacementRequest request)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(request);
        var wanted = request.Resources;
        if (wanted.MemoryBytes > node.FreeMemoryBytes)
        {
            return $"lack {ByteCount.Format(wanted.MemoryBytes)} free memory";
        }

        return wanted.CpuMillis > node.FreeCpuMillis ? $"lack {wanted.CpuMillis}m free CPU" : null;
    }
}
