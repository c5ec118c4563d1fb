using FleetPods.Grains;

namespace FleetPods.Silo.Api;

/// <summary>A node whose part of a cluster-wide answer is missing: it is down, or up but did not answer.</summary>
public sealed record SkippedNode(string Node, NodeLiveness Status);
