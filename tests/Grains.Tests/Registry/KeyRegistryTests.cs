using FleetPods.Grains.Tests.Fleet;

namespace FleetPods.Grains.Tests.Registry;

/// <summary>
/// A unit lists each batch of its new pods with one call: the batch's keys are made to fall in one shard of the pods'
/// registry, a shard picked at random, so the shards stay even.
/// </summary>
public sealed class KeyRegistryTests
{
    [Fact]
    public async Task A_batch_of_new_keys_is_random_uuids_that_one_shard_lists_and_batches_spread_over_the_shards()
    {
        await using var fleet = await FleetCluster.Start("role=registry");
        var registry = new KeyRegistry(fleet.Client, RegistryKind.Pods);
        var batches = Enumerable.Range(0, 200).Select(_ => registry.NewKeys(8)).ToList();
        var keys = batches.SelectMany(batch => batch).ToList();
        Assert.All(keys, key => Assert.True(Guid.TryParseExact(key, "D", out var uuid) && uuid.Version == 4 && key == uuid.ToString(), $"{key} is not a random UUID as Guid.NewGuid makes it"));
        Assert.Equal(keys.Count, keys.Distinct(StringComparer.Ordinal).Count());

        await Task.WhenAll(batches.Select(batch => registry.Add(batch)));

        var shards = await Task.WhenAll(Enumerable.Range(0, KeyRegistry.Shards).Select(i => fleet.Client.GetGrain<IRegistryGrain>($"{RegistryKind.Pods}/{i:D2}").List()));
        Assert.All(batches, batch => Assert.Equal(batch.Length, shards.Single(listed => listed.Contains(batch[0])).Intersect(batch).Count()));
        Assert.True(shards.Count(listed => listed.Count > 0) >= KeyRegistry.Shards * 3 / 4, $"200 batches fell in {shards.Count(listed => listed.Count > 0)} of {KeyRegistry.Shards} shards");
        Assert.Equal(keys.Order(StringComparer.Ordinal), await registry.List());
    }
}
