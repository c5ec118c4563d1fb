using FleetPods.Grains;
using FleetPods.Grains.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace FleetPods.Silo.Tests;

/// <summary>
/// A node grain's state as a daemon of before the typed stage1 flavors stored it (its flavors as strings under field
/// 3) still loads, so an upgraded daemon's node grain activates and its first announcement replaces the flavors.
/// </summary>
public sealed class StoredNodeStateTests
{
    [Fact]
    public void A_node_state_stored_with_the_flavors_as_strings_loads_with_its_other_fields()
    {
        using var services = new ServiceCollection()
            .AddSerializer(b => b.AddAssembly(typeof(NodeState).Assembly).AddAssembly(typeof(NodeAnnouncement).Assembly).AddAssembly(typeof(StoredNodeStateTests).Assembly))
            .BuildServiceProvider();
        var serializer = services.GetRequiredService<Serializer>();
        var stored = new NodeStateBeforeTypedFlavors
        {
            Announcement = new AnnouncementBeforeTypedFlavors("10.0.0.11:30000", new Dictionary<string, string> { ["disk"] = "ssd" }, new ResourceRequest(8L << 30, 4000), ["ns", "fly", "kvm"]) { KvmAccelerator = "kvm" },
            Reservations = { ["pod-1"] = new ResourceRequest(1L << 30, 500) },
        };

        var read = serializer.Deserialize<NodeState>(serializer.SerializeToArray(stored))!;

        var announcement = read.Announcement!;
        Assert.Equal(("10.0.0.11:30000", "ssd", "kvm"), (announcement.Address, announcement.Metadata["disk"], announcement.KvmAccelerator));
        Assert.Equal(new ResourceRequest(1L << 30, 500), read.Reservations["pod-1"]);
        Assert.Null(announcement.Stage1Flavors);
    }
}

/// <summary><see cref="NodeState"/> as it was stored before the flavors were typed.</summary>
[GenerateSerializer]
public sealed class NodeStateBeforeTypedFlavors
{
    [Id(0)]
    public AnnouncementBeforeTypedFlavors? Announcement { get; set; }

    [Id(1)]
    public DateTimeOffset AnnouncedAt { get; set; }

    [Id(2)]
    public Dictionary<string, ResourceRequest> Reservations { get; set; } = [];

    [Id(3)]
    public Dictionary<string, PlacedPod> Pods { get; set; } = [];
}

/// <summary><see cref="NodeAnnouncement"/> as it was stored before the flavors were typed.</summary>
[GenerateSerializer]
public sealed record AnnouncementBeforeTypedFlavors(
    [property: Id(0)] string Address,
    [property: Id(1)] IReadOnlyDictionary<string, string> Metadata,
    [property: Id(2)] ResourceRequest Capacity,
    [property: Id(3)] IReadOnlyList<string> Stage1Flavors)
{
    [Id(4)]
    public string KvmAccelerator { get; init; } = "";
}
