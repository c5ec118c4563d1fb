using Orleans.Runtime.Placement;

namespace FleetPods.Grains.Placement;

/// <summary>
/// Places node grains: a node that is a silo (its name is a silo's name in membership) as
/// <see cref="NodePlacementDirector"/> does, on that silo and nowhere while it is not active; an agent's node, which
/// no silo carries, on any server, chosen by the key's hash so agents' nodes spread over the servers.
/// </summary>
public sealed class NodeGrainPlacementDirector(IClusterMembershipService membership, NodePlacementDirector silos) : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var nodeName = target.GrainIdentity.Key.ToString();
        if (membership.CurrentSnapshot.Members.Values.Any(member => member.Name == nodeName))
        {
            return silos.OnAddActivation(strategy, target, context);
        }

        var servers = context.GetCompatibleSilos(target).OrderBy(address => address.ToParsableString(), StringComparer.Ordinal).ToArray();
        return servers.Length == 0
            ? throw new NodeUnavailableException($"no server can hold node '{nodeName}'")
            : Task.FromResult(servers[target.GrainIdentity.GetUniformHashCode() % (uint)servers.Length]);
    }
}
