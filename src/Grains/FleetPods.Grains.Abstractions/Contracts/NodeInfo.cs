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
    internal PlacedPodIndex PlacedIndex => CurrentIndex ?? (placedIndex = PlacedPodIndex.Of(Pods));

    // The index made for this node's pods, if one was (a copy made with other pods carries its original's, of no use).
    private PlacedPodIndex? CurrentIndex => placedIndex is { } index && ReferenceEquals(index.Pods, Pods) ? index : null;

    /// <summary>
    /// The node with one more pod reserved, as a scheduler counts its own reservation before the node reports it. The
    /// node was just ranked, so its pods' index is made: it is carried over with the pod added, not made again from
    /// every pod (half the indexes a busy scheduler made).
    /// </summary>
    internal NodeInfo WithPlaced(PlacedPod pod, ResourceRequest resources)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(resources);
        var placed = this with
        {
            Reserved = new ResourceRequest(Reserved.MemoryBytes + resources.MemoryBytes, Reserved.CpuMillis + resources.CpuMillis),
            PodCount = PodCount + 1,
            Pods = [.. Pods, pod],
        };
        placed.placedIndex = CurrentIndex?.With(placed.Pods, pod);
        return placed;
    }

    /// <summary>The node without a pod <see cref="WithPlaced"/> counted, when its reservation was refused.</summary>
    internal NodeInfo WithoutPlaced(string podId, ResourceRequest resources)
    {
        ArgumentNullException.ThrowIfNull(podId);
        ArgumentNullException.ThrowIfNull(resources);
        return this with
        {
            Reserved = new ResourceRequest(Reserved.MemoryBytes - resources.MemoryBytes, Reserved.CpuMillis - resources.CpuMillis),
            PodCount = PodCount - 1,
            Pods = [.. Pods.Where(p => p.PodId != podId)],
        };
    }
}
