using FleetPods.Grains;

namespace FleetPods.Cli;

/// <summary>A node whose part of a cluster-wide answer is missing: it is down, or up but did not answer.</summary>
public sealed record SkippedNode(string Node, NodeLiveness Status)
{
    /// <summary>One line on stderr, e.g. <c>fleetpods: node n2 is down; its images are not listed</c>.</summary>
    public string Warning(string consequence) =>
        $"fleetpods: node {Node} is {(Status == NodeLiveness.Down ? "down" : "unreachable (up in the cluster, but it did not answer)")}; {consequence}";
}
