using FleetPods.Grains;
using FleetPods.Silo.FrontDoor;

namespace FleetPods.Silo.Api;

/// <summary>Which node's image store a request means: the one <c>node=</c> names, else the cluster's only node.</summary>
public static class ImageNodes
{
    public static async Task<string> Chosen(IGrainFactory grains, string? node)
    {
        ArgumentNullException.ThrowIfNull(grains);
        if (node is not null)
        {
            return node;
        }

        var nodes = await new KeyRegistry(grains, RegistryKind.Nodes).List();
        return nodes.Count switch
        {
            1 => nodes[0],
            0 => throw new BadRequestException("no node has joined the cluster"),
            _ => throw new BadRequestException($"the cluster has {nodes.Count} nodes; say which one with node="),
        };
    }
}
