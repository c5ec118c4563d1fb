using FleetPods.Grains.UnitFiles;

namespace FleetPods.Grains;

/// <summary>What a node agent tells its node grain when its daemon starts.</summary>
/// <param name="Stage1Flavors">
/// The stage1 flavors the node offers: those its machine can run, or those of them its admin chose with
/// <c>fleetpodsd --stage1</c>. A pod is placed only on a node that offers its flavor. (Id 3 held them as strings
/// before: a node stored so is read with none until it announces again, which its daemon does when it starts.)
/// </param>
[GenerateSerializer, Immutable]
public sealed record NodeAnnouncement(
    [property: Id(0)] string Address,
    [property: Id(1)] IReadOnlyDictionary<string, string> Metadata,
    [property: Id(2)] ResourceRequest Capacity,
    [property: Id(5)] IReadOnlyList<Stage1Flavor> Stage1Flavors)
{
    /// <summary>What the node's stage1 kvm pods boot on: <c>kvm</c>, <c>tcg</c>, <c>auto</c> until the first kvm pod has probed it, or empty without kvm.</summary>
    [Id(4)]
    public string KvmAccelerator { get; init; } = "";
}
