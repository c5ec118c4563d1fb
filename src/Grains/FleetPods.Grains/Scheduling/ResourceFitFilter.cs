namespace FleetPods.Grains.Scheduling;

/// <summary>Keeps nodes whose free memory and CPU cover the request, as their node grains last reported it.</summary>
public sealed class ResourceFitFilter : INodeFilter
{
    public string? Reject(NodeInfo node, ResourceRequest request)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(request);
        if (request.MemoryBytes > node.FreeMemoryBytes)
        {
            return $"lack {ByteCount.Format(request.MemoryBytes)} free memory";
        }

        return request.CpuMillis > node.FreeCpuMillis ? $"lack {request.CpuMillis}m free CPU" : null;
    }
}
