namespace FleetPods.Grains.Tests.Cluster;

/// <summary>A registry read a page at a time, in ordinal key order, while keys come and go between pages.</summary>
[Collection(SharedCluster.Name)]
public sealed class RegistryPagingTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Pages_follow_ordinal_order_from_after_the_last_key_even_one_removed_meanwhile()
    {
        var registry = fixture.Client.GetGrain<IRegistryGrain>("paging-test");
        foreach (var key in new[] { "d", "b", "a", "e", "c", "B" })
        {
            await registry.Add(key);
        }

        var first = await registry.ListPage(null, 2);
        await registry.Remove("b");
        await registry.Add("bb");
        var second = await registry.ListPage(first[^1], 2);
        var third = await registry.ListPage(second[^1], 2);
        var last = await registry.ListPage(third[^1], 2);

        Assert.Equal(["B", "a"], first);
        Assert.Equal(["bb", "c"], second);
        Assert.Equal(["d", "e"], third);
        Assert.Empty(last);
        Assert.Equal(["B", "a", "bb", "c", "d", "e"], await registry.List());
    }

    [Fact]
    public async Task After_a_key_that_is_gone_the_page_starts_where_it_would_have_been()
    {
        var registry = fixture.Client.GetGrain<IRegistryGrain>("paging-gone-test");
        foreach (var key in new[] { "a", "c", "e" })
        {
            await registry.Add(key);
        }

        Assert.Equal(["c", "e"], await registry.ListPage("b", 10));
        Assert.Equal(["e"], await registry.ListPage("c", 10));
    }

    [Fact]
    public async Task Pods_spread_over_shards_list_and_page_as_one_ordered_set()
    {
        var pods = new KeyRegistry(fixture.Client, RegistryKind.Pods);
        var ids = Enumerable.Range(0, 150).Select(_ => $"paging-{Guid.NewGuid()}").ToList();
        foreach (var id in ids)
        {
            await pods.Add(id);
        }

        try
        {
            var ours = ids.Order(StringComparer.Ordinal).ToList();
            var paged = new List<string>();
            for (string? after = "paging-"; ;)
            {
                var page = await pods.ListPage(after, 7);
                paged.AddRange(page.TakeWhile(id => id.StartsWith("paging-", StringComparison.Ordinal)));
                if (page.Count < 7 || !page[^1].StartsWith("paging-", StringComparison.Ordinal))
                {
                    break;
                }

                after = page[^1];
            }

            Assert.Equal(ours, paged);
            Assert.Equal(ours, (await pods.List()).Where(id => id.StartsWith("paging-", StringComparison.Ordinal)));
            var held = await Task.WhenAll(Enumerable.Range(0, KeyRegistry.Shards).Select(i => fixture.Client.GetGrain<IRegistryGrain>($"pods/{i:D2}").List()));
            Assert.True(held.Count(keys => keys.Any(k => k.StartsWith("paging-", StringComparison.Ordinal))) > KeyRegistry.Shards / 2, "the ids are spread over the shards");
        }
        finally
        {
            foreach (var id in ids)
            {
                await pods.Remove(id);
            }
        }
    }

    [Fact]
    public async Task A_sharded_key_is_found_while_it_is_registered_and_not_before_or_after()
    {
        var nodes = new KeyRegistry(fixture.Client, RegistryKind.Nodes);
        var name = $"contains-{Guid.NewGuid()}";

        var before = await nodes.Contains(name);
        await nodes.Add(name);
        var registered = await nodes.Contains(name);
        var otherCase = await nodes.Contains(name.ToUpperInvariant());
        await nodes.Remove(name);

        Assert.Equal((false, true, false, false), (before, registered, otherCase, await nodes.Contains(name)));
    }
}
