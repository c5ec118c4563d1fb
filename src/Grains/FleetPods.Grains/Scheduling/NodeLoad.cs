using System.Globalization;

namespace FleetPods.Grains.Scheduling;

/// <summary>
/// The load a node would carry with the pod on it, as <see cref="SpreadRanking"/> weighs it; the lower the
/// <see cref="Score"/>, the better the node.
/// </summary>
/// <param name="UnitPods">Pods of the same unit already on the node (replicas apart, as Nomad's job anti-affinity).</param>
/// <param name="Pods">The node's pods with this one (fleet's rule: fewest units first).</param>
/// <param name="MostPods">The most pods any fitting node would hold with this one, which <see cref="Pods"/> is a share of.</param>
/// <param name="Reserved">The larger of the node's memory and CPU shares reserved with this pod (0–1): a node is as full as its fullest resource.</param>
/// <remarks>A struct: every placement ranks a load for each node it scored, 2.3% of what a server allocated while placing.</remarks>
public readonly record struct NodeLoad(NodeInfo Node, string? UnitName, int UnitPods, int Pods, int MostPods, double Reserved)
{
    public string Name => Node.Name;

    public double PodShare => MostPods <= 0 ? 0 : (double)Pods / MostPods;

    /// <summary>
    /// Each term weighs the same, so a replica goes beside one of its own only where every other node is much
    /// fuller (by pods and reservations together), never merely because it sorts first.
    /// </summary>
    public double Score => UnitPods + PodShare + Reserved;

    /// <summary>Why the node ranks where it does, e.g. <c>node-b 0.75 (0 of web.pod's pods, 2 of 4 pods, 25% reserved)</c>.</summary>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Name} {Score:0.###} ({UnitPods} of {UnitName ?? "the run"}'s pods, {Pods} of {MostPods} pods, {Reserved:0%} reserved)");
}
