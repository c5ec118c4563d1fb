using FleetPods.Grains.UnitFiles;

namespace FleetPods.Grains;

/// <summary>One machine of the cluster, as its node grain knows it.</summary>
/// <param name="Capacity">What the machine has in all.</param>
/// <param name="Reserved">What its placed pods have reserved.</param>
/// <param name="Stage1Flavors">The stage1 flavors this node offers (see <see cref="NodeAnnouncement.Stage1Flavors"/>).</param>
[GenerateSerializer, Immutable]
public sealed record NodeInfo(
    [property: Id(0)] string Name,
    [property: Id(1)] string Address,
    [property: Id(2)] IReadOnlyDictionary<string, string> Metadata,
    [property: Id(3)] ResourceRequest Capacity,
    [property: Id(4)] ResourceRequest Reserved,
    [property: Id(5)] int PodCount,
    [property: Id(10)] IReadOnlyList<Stage1Flavor> Stage1Flavors,
    [property: Id(7)] DateTimeOffset AnnouncedAt)
{
    [NonSerialized]
    private PlacedPodIndex? placedIndex;

    /// <summary>The pods reserved on the node, for <c>Conflicts=</c>.</summary>
    [Id(8)]
    public IReadOnlyList<PlacedPod> Pods { get; init; } = [];

    /// <summary>What the node's stage1 kvm pods boot on (see <see cref="NodeAnnouncement.KvmAccelerator"/>).</summary>
    [Id(9)]
    public string KvmAccelerator { get; init; } = "";

    public long FreeMemoryBytes => Capacity.MemoryBytes - Reserved.MemoryBytes;

    public int FreeCpuMillis => Capacity.CpuMillis - Reserved.CpuMillis;

    /// <summary>
    /// Made the first time placement asks, and again for a copy made with other pods (`with` copies the field); two
    /// threads that make it at once make the same.
    /// </summary>
    internal PlacedPodIndex PlacedIndex => placedIndex is { } index && ReferenceEquals(index.Pods, Pods) ? index : placedIndex = PlacedPodIndex.Of(Pods);
}
