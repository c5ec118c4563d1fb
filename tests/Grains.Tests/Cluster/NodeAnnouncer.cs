namespace FleetPods.Grains.Tests.Cluster;

/// <summary>Announces a node of a test cluster that may have only just started.</summary>
public static class NodeAnnouncer
{
    /// <summary>
    /// Announces <paramref name="node"/>, again while the silo that places its node grain does not
    /// yet see that node's silo active: a cluster that reports itself deployed, or a silo just added, may not yet
    /// be in every silo's membership view (a clean-clone run's SchedulingRuleTests all failed that way).
    /// </summary>
    public static async Task AnnounceOnceKnown(IGrainFactory grains, string node, NodeAnnouncement announcement)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await grains.GetGrain<INodeGrain>(node).Announce(announcement);
                return;
            }
            catch (NodeUnavailableException) when (attempt < 50)
            {
                await Task.Delay(100);
            }
        }
    }
}
