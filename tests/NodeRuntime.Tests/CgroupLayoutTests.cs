using FleetPods.NodeRuntime.Pods;

namespace FleetPods.NodeRuntime.Tests;

/// <summary>
/// Where pods' cgroups go on cgroup v1, v2 and the hybrid of both, from mountinfo lines as those machines show
/// them; and the limits written on a fake v2 tree (this machine's real cgroup v1 is exercised by the conformance suite).
/// </summary>
public sealed class CgroupLayoutTests
{
    private const string Hybrid = """
        30 25 0:26 / /sys/fs/cgroup/unified rw,nosuid - cgroup2 cgroup2 rw
        31 25 0:27 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu
        32 25 0:28 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory
        33 25 0:29 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids
        """;

    [Fact]
    public void On_the_hybrid_layout_every_controller_bound_to_v1_is_used_there()
    {
        var layout = CgroupLayout.Detect(Hybrid.Split('\n'), _ => "hugetlb\n");

        Assert.Equal(
            [("/sys/fs/cgroup/cpu/fleetpods", false, "cpu"), ("/sys/fs/cgroup/memory/fleetpods", false, "memory"), ("/sys/fs/cgroup/pids/fleetpods", false, "pids")],
            layout.Hierarchies.Select(h => (h.Directory, h.Version2, string.Join(',', h.Controllers))));
    }

    [Fact]
    public void On_pure_v2_one_cgroup_at_the_root_carries_every_controller_it_offers()
    {
        var layout = CgroupLayout.Detect(["30 25 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw"], _ => "cpuset cpu io memory hugetlb pids rdma misc\n");

        var hierarchy = Assert.Single(layout.Hierarchies);
        Assert.Equal(("/sys/fs/cgroup/fleetpods", true, "memory,cpu,pids"), (hierarchy.Directory, hierarchy.Version2, string.Join(',', hierarchy.Controllers)));
    }

    [Fact]
    public void On_v2_the_controllers_are_delegated_and_the_limits_written_in_v2_terms()
    {
        using var root = new TestDirectory();
        var layout = new CgroupLayout([new CgroupHierarchy(Path.Combine(root.Path, "fleetpods"), true, ["memory", "cpu", "pids"], root.Path)]);
        Directory.CreateDirectory(Path.Combine(root.Path, "fleetpods", "pod-1"));
        File.WriteAllText(Path.Combine(root.Path, "fleetpods", "pod-1", "memory.swap.max"), "max");

        var (directories, oomEvents) = PodCgroups.Create(layout, "pod-1", 64 << 20, 1500, 100);

        var pod = Assert.Single(directories);
        string Read(string file) => File.ReadAllText(Path.Combine(pod, file));
        Assert.Equal("+memory +cpu +pids", File.ReadAllText(Path.Combine(root.Path, "cgroup.subtree_control")));
        Assert.Equal("+memory +cpu +pids", File.ReadAllText(Path.Combine(root.Path, "fleetpods", "cgroup.subtree_control")));
        Assert.Equal(("67108864", "0", "150000 100000", "100"), (Read("memory.max"), Read("memory.swap.max"), Read("cpu.max"), Read("pids.max")));
        Assert.Equal(Path.Combine(pod, "memory.events"), oomEvents);
    }
}
