using Orleans.Runtime.Placement;

namespace FleetPods.Grains.Placement;

/// <summary>Maps the node name in a grain's key to the active silo whose name is that node name.</summary>
public sealed class NodePlacementDirector(IClusterMembershipService membership) : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var nodeName = target.GrainIdentity.Key.ToString();
        var compatible = context.GetCompatibleSilos(target);
        var silo = membership.CurrentSnapshot.Members.Values
            .Where(member => member.Status == SiloStatus.Active && member.Name == nodeName)
            .Select(member => member.SiloAddress)
            .FirstOrDefault(address => compatible.Contains(address));
        return silo is null
            ? throw new NodeUnavailableException($"node '{nodeName}' is not in the cluster")
            : Task.FromResult(silo);
    }
}
