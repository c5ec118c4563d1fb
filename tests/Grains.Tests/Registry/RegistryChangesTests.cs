using FleetPods.Grains.Registry;
using FleetPods.Grains.Tests.Fleet;

namespace FleetPods.Grains.Tests.Registry;

/// <summary>
/// A registry shard stores its changes since its set, and its set once they are many: whatever mix of the two storage
/// holds when the grain is loaded again, it lists exactly the keys that were kept.
/// </summary>
public sealed class RegistryChangesTests
{
    [Fact]
    public async Task Keys_added_and_removed_past_several_rewrites_of_the_set_are_listed_the_same_after_a_reload()
    {
        await using var fleet = await FleetCluster.Start("role=registry");
        var registry = fleet.Client.GetGrain<IRegistryGrain>("changes-test");
        var keys = Enumerable.Range(0, (RegistryGrain.ChangesBeforeSet * 3) + 7).Select(i => $"pod-{i:D4}").ToList();

        // Concurrently, as pods are made: adds share writes.
        await Task.WhenAll(keys.Select(registry.Add));
        foreach (var key in keys.Where((_, i) => i % 3 == 0))
        {
            await registry.Remove(key);
        }

        // A key removed, then added again, after the last rewrite of the set.
        await registry.Remove(keys[1]);
        await registry.Add(keys[1]);
        var kept = keys.Where((_, i) => i % 3 != 0).ToList();
        Assert.Equal(kept, await registry.List());

        await fleet.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

        Assert.Equal(kept, await registry.List());
    }
}
