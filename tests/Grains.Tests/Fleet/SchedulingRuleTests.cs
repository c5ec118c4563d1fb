using static FleetPods.Grains.Tests.Fleet.FleetCluster;

namespace FleetPods.Grains.Tests.Fleet;

/// <summary>Every [X-Fleet] rule, Count= and resources, on three in-process silos.</summary>
public sealed class SchedulingRuleTests(FleetClusterFixture fixture) : IClassFixture<FleetClusterFixture>
{
    private FleetCluster Fleet => fixture.Fleet;

    [Fact]
    public async Task A_forbidden_combination_is_refused_at_submit_and_nothing_is_stored()
    {
        var unit = Fleet.Unit("forbidden.pod");

        var result = await unit.Submit("forbidden.pod", $"[Pod]\nImage=example.com/busybox\nExec=/bin/true\n[X-Fleet]\nGlobal=true\nMachineID={fixture.Ssd1}\n");

        Assert.Equal("forbidden.pod:6: MachineID=: Global=true cannot be combined with MachineID= (a global unit runs on every matching node)", Assert.Single(result.Errors).ToString());
        Assert.Null(await unit.GetStatus());
    }

    [Fact]
    public async Task MachineID_pins_the_pod_to_that_node()
    {
        var unit = await Fleet.Start("pinned.pod", fleet: $"MachineID={fixture.Hdd}");

        var status = await Until(unit, pods => Running(pods).Count == 1, "the pinned pod running");

        Assert.Equal(fixture.Hdd, status.Pod!.NodeName);
    }

    [Fact]
    public async Task MachineMetadata_needs_every_key_and_a_repeated_key_matches_any_of_its_values()
    {
        var ssdInUs = await Fleet.Start("meta-a.pod", pod: "Count=2", fleet: "MachineMetadata=disk=ssd region=us");
        var anyRegion = await Fleet.Start("meta-b.pod", pod: "Count=3", fleet: "MachineMetadata=region=eu region=us\nMachineMetadata=disk=ssd");

        var a = await Until(ssdInUs, pods => Running(pods).Count == 2, "both pods on the one ssd node in us");
        var b = await Until(anyRegion, pods => Running(pods).Count == 3, "pods on both ssd nodes");

        Assert.Equal([fixture.Ssd2], Running(a.Pods).Select(p => p.NodeName).Distinct());
        Assert.All(b.Pods, p => Assert.Contains(p.NodeName, new[] { fixture.Ssd1, fixture.Ssd2 }));
        Assert.Contains(fixture.Ssd1, b.Pods.Select(p => p.NodeName));
    }

    [Fact]
    public async Task Conflicts_keep_units_apart_both_ways_and_the_one_left_over_says_why_it_waits()
    {
        var first = await Fleet.Start("cf-1.pod", fleet: "Conflicts=cf-*.pod");
        var second = await Fleet.Start("cf-2.pod");
        var third = await Fleet.Start("cf-3.pod", fleet: "Conflicts=cf-*.pod");
        var fourth = await Fleet.Start("cf-4.pod", fleet: "Conflicts=cf-*.pod");

        var nodes = new List<string?>();
        foreach (var unit in new[] { first, second, third })
        {
            nodes.Add((await Until(unit, pods => Running(pods).Count == 1, "a conflicting unit running")).Pod!.NodeName);
        }

        var waiting = (await fourth.GetStatus())!.Pod!;
        Assert.Equal(3, nodes.Distinct().Count());
        Assert.Equal(PodPhase.Pending, waiting.Phase);
        Assert.StartsWith("no node matches Conflicts=cf-*.pod among 3 nodes: ", waiting.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pod_too_big_for_every_matching_node_stays_pending_with_the_reason()
    {
        var unit = await Fleet.Start("big.pod", pod: "Memory=6G\nCount=3", fleet: "MachineMetadata=disk=ssd");

        var status = await Until(unit, pods => Running(pods).Count == 2, "two big pods running");

        Assert.Equal(
            "no node with 6 GiB free memory among 2 matching MachineMetadata=disk=ssd",
            status.Pods.Single(p => p.Phase == PodPhase.Pending).Reason);
        await unit.Destroy(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Count_runs_that_many_pods_spread_by_free_resources()
    {
        var unit = await Fleet.Start("replicas.pod", pod: "Memory=1G\nCPU=500m\nCount=3");

        var status = await Until(unit, pods => Running(pods).Count == 3, "three replicas running");

        Assert.Equal(3, status.Pods.Select(p => p.NodeName).Distinct().Count());
        await unit.Destroy(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task MachineOf_waits_for_its_target_then_runs_beside_it_and_follows_it()
    {
        var follower = await Fleet.Start("side.pod", fleet: "MachineOf=main.pod");
        var pending = (await follower.GetStatus())!.Pod!;
        var target = await Fleet.Start("main.pod", fleet: $"MachineID={fixture.Ssd1}");

        await Until(target, pods => Running(pods).Count == 1, "the target running");
        var beside = await Until(follower, pods => Running(pods).Count == 1, "the follower running");
        await target.Submit("main.pod", $"[Pod]\nImage=example.com/busybox\nExec=/bin/sleep 1000\n[X-Fleet]\nMachineID={fixture.Hdd}\n");
        var moved = await Until(follower, pods => Running(pods) is [{ } pod] && pod.NodeName == fixture.Hdd, "the follower on the target's new node");

        Assert.Equal("MachineOf=main.pod: main.pod has no placed pod", pending.Reason);
        Assert.Equal(fixture.Ssd1, beside.Pod!.NodeName);
        Assert.Equal(fixture.Hdd, moved.Pod!.NodeName);
    }

    [Fact]
    public async Task Replaces_takes_the_named_units_node_and_stops_it()
    {
        var old = await Fleet.Start("old-web.pod", fleet: $"MachineID={fixture.Ssd2}");
        await Until(old, pods => Running(pods).Count == 1, "the old unit running");

        var replacement = await Fleet.Start("new-web.pod", fleet: "Replaces=old-web.pod");

        var status = await Until(replacement, pods => Running(pods).Count == 1, "the replacement running");
        Assert.Equal(fixture.Ssd2, status.Pod!.NodeName);
        Assert.True((await old.GetStatus())!.Pod!.HasEnded);
        Assert.Equal(UnitDesiredState.Loaded, (await old.GetStatus())!.DesiredState);
    }

    [Theory]
    [InlineData("rolling-1.pod", "", 2)]
    [InlineData("rolling-2.pod", "MaxUnavailable=2", 1)]
    public async Task A_changed_unit_rolls_out_max_unavailable_pods_at_a_time(string name, string maxUnavailable, int atLeastRunning)
    {
        var unit = await Fleet.Start(name, pod: $"Count=3\n{maxUnavailable}");
        var before = await Until(unit, pods => Running(pods).Count == 3, "three pods running");
        var oldIds = before.Pods.Select(p => p.Id).ToHashSet();

        await unit.Submit(name, $"[Pod]\nImage=example.com/busybox\nExec=/bin/sleep 2000\nCount=3\n{maxUnavailable}\n");
        var fewestRunning = 3;
        var status = before;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!(Running(status.Pods).Count == 3 && status.Pods.All(p => !oldIds.Contains(p.Id))))
        {
            Assert.True(DateTime.UtcNow < deadline, "rollout did not finish within 20 s");
            await Task.Delay(5);
            status = (await unit.GetStatus())!;
            fewestRunning = Math.Min(fewestRunning, Running(status.Pods).Count);
        }

        Assert.True(fewestRunning >= atLeastRunning, $"at least {atLeastRunning} pods must run during the rollout; saw {fewestRunning}");
        await unit.Destroy(TimeSpan.FromSeconds(1));
    }
}
