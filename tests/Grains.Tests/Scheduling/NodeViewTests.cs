using FleetPods.Grains.Scheduling;
using FleetPods.Grains.Tests.Cluster;
using static FleetPods.Grains.Tests.Scheduling.SchedulingData;

namespace FleetPods.Grains.Tests.Scheduling;

/// <summary>
/// The node view placement reads instead of asking every node: reports taken in the order each node made them, and
/// copies brought up to date with only what changed. Node names are the test's own: the cluster's nodes report too.
/// </summary>
[Collection(SharedCluster.Name)]
public sealed class NodeViewTests(ClusterFixture fixture) : IAsyncLifetime
{
    private readonly List<string> names = [];

    private INodeViewGrain View => fixture.Client.GetGrain<INodeViewGrain>(0);

    public Task InitializeAsync() => Task.CompletedTask;

    // The cluster's other tests place pods: the made-up nodes go down, or the scheduler would weigh them.
    public async Task DisposeAsync()
    {
        await View.Report([.. names.Select(name => new NodeReport(name, null, long.MaxValue))]);
    }

    [Fact]
    public async Task A_report_older_than_one_taken_is_dropped()
    {
        var name = Unique("late");
        await View.Report([new NodeReport(name, Node(name, freeMemory: 1L << 30), 20)]);
        await View.Report([new NodeReport(name, Node(name, freeMemory: 5L << 30), 10)]);

        var whole = await View.Changes(NodeViewVersion.None);

        Assert.True(whole.Whole);
        Assert.Equal(1L << 30, whole.Up.Single(n => n.Name == name).FreeMemoryBytes);
    }

    [Fact]
    public async Task Reports_of_many_nodes_sent_at_once_through_a_silos_sender_leave_each_nodes_latest_in_the_view()
    {
        string[] many = [.. Enumerable.Range(0, 300).Select(_ => Unique("many"))];
        using var sender = new NodeReportSender(View, Microsoft.Extensions.Logging.Abstractions.NullLogger<NodeReportSender>.Instance);

        // Each node's later report is made first here, as two reports sent without waiting may arrive.
        await Task.WhenAll(many.SelectMany(name => new[] { Sent(name, 2), Sent(name, 1) }));

        var whole = await View.Changes(NodeViewVersion.None);
        Assert.All(many, name => Assert.Equal(2L << 30, whole.Up.Single(n => n.Name == name).FreeMemoryBytes));

        Task Sent(string name, long sequence) => sender.Send(new NodeReport(name, Node(name, freeMemory: sequence << 30), sequence));
    }

    [Fact]
    public async Task A_copy_gets_only_what_changed_since_its_version_and_hears_of_a_node_going_down()
    {
        var (up, leaving) = (Unique("up"), Unique("leaving"));
        await View.Report([new NodeReport(up, Node(up), 1)]);
        await View.Report([new NodeReport(leaving, Node(leaving), 1)]);
        var copy = (await View.Changes(NodeViewVersion.None)).Version;

        await View.Report([new NodeReport(leaving, null, 2)]);
        var changes = await View.Changes(copy);

        Assert.False(changes.Whole);
        Assert.DoesNotContain(changes.Up, n => n.Name == up);
        Assert.Contains(leaving, changes.Down);
        Assert.True(changes.Version.Version > copy.Version);
        Assert.DoesNotContain(leaving, (await View.Changes(changes.Version)).Down);
    }

    [Fact]
    public async Task A_copy_of_another_activation_gets_the_whole_view()
    {
        var name = Unique("known");
        await View.Report([new NodeReport(name, Node(name), 1)]);

        var changes = await View.Changes(new NodeViewVersion(Guid.NewGuid(), long.MaxValue));

        Assert.True(changes.Whole);
        Assert.Contains(changes.Up, n => n.Name == name);
    }

    [Fact]
    public async Task A_copy_counts_every_reservation_asked_for_at_once_and_takes_back_a_refused_one()
    {
        var name = Unique("burst");
        var copy = await CopyOf(name);
        var (first, second, refused) = (Request(memory: 64L << 20) with { PodId = "first" }, Request(memory: 64L << 20) with { PodId = "second" }, Request(memory: 64L << 20) with { PodId = "refused" });

        copy.Reserved(name, first);
        copy.Reserved(name, second);
        copy.Reserved(name, refused);
        copy.Refused(name, refused);

        var node = InfoOf(copy, name);
        Assert.Equal(2, node.PodCount);
        Assert.Equal(["first", "second"], node.Pods.Select(p => p.PodId));
        Assert.Equal(first.Resources.MemoryBytes * 2, node.Reserved.MemoryBytes);
    }

    [Fact]
    public async Task Reservations_asked_for_on_many_threads_at_once_are_each_counted_in_the_silos_one_copy()
    {
        var name = Unique("shared");
        var copy = await CopyOf(name);
        const int Threads = 8;
        const int Each = 200;

        // As the pod grains of a busy silo place: on the thread pool, with updates of the copy among the reservations.
        await Task.WhenAll(Enumerable.Range(0, Threads).Select(thread => Task.Run(async () =>
        {
            for (var i = 0; i < Each; i++)
            {
                copy.Reserved(name, Request(memory: 1L << 20) with { PodId = $"pod-{thread}-{i}" });
                if (i % 50 == 0)
                {
                    await copy.UpdateAskedAfter(System.Diagnostics.Stopwatch.GetTimestamp());
                }
            }
        })));

        var node = InfoOf(copy, name);
        Assert.Equal(Threads * Each, node.PodCount);
        Assert.Equal(Threads * Each, node.Pods.Select(p => p.PodId).Distinct().Count());
        Assert.Equal(Threads * Each * (1L << 20), node.Reserved.MemoryBytes);
    }

    [Fact]
    public async Task A_plan_holds_its_first_untried_candidate_in_the_copy_so_the_next_plan_ranks_with_it()
    {
        var (a, b) = (Unique("plan-a"), Unique("plan-b"));
        var copy = await CopyOf(a, b);
        PlacementPlan Plan(string podId, params string[] tried)
        {
            var request = Request(memory: 64L << 20) with { PodId = podId };
            return copy.PlanAndHold(all => PlacementPipeline.For(request, null).Plan([.. all.Where(n => n.Name == a || n.Name == b)], request), request, tried.ToHashSet());
        }

        string[] PodsOn(string node) => [.. InfoOf(copy, node).Pods.Select(p => p.PodId)];

        var first = Plan("first").Candidates[0].Name;
        var other = first == a ? b : a;
        Assert.Equal(["first"], PodsOn(first));

        // The second is ranked with the first held, so it goes to the other node, as replicas placed at once must.
        Assert.Equal(other, Plan("second").Candidates[0].Name);
        Assert.Equal(["second"], PodsOn(other));

        // A candidate already tried is not held again; the first one that was not is.
        Plan("third", a);
        Assert.Equal(["third"], PodsOn(b).Except(["first", "second"]));
        Plan("fourth", a, b);
        Assert.DoesNotContain("fourth", PodsOn(a).Concat(PodsOn(b)));
    }

    [Fact]
    public async Task A_reservation_stays_counted_over_updates_until_the_nodes_own_report_carries_it()
    {
        var name = Unique("pending");
        var copy = await CopyOf(name);
        var request = Request(memory: 64L << 20) with { PodId = "reserved-here" };
        copy.Reserved(name, request);

        await View.Report([new NodeReport(name, Node(name), 2)]);
        await copy.UpdateAskedAfter(System.Diagnostics.Stopwatch.GetTimestamp());
        Assert.Equal(["reserved-here"], InfoOf(copy, name).Pods.Select(p => p.PodId));

        await View.Report([new NodeReport(name, Node(name, pods: request.AsPlaced()), 3)]);
        await copy.UpdateAskedAfter(System.Diagnostics.Stopwatch.GetTimestamp());
        Assert.Equal(1, InfoOf(copy, name).PodCount);
    }

    [Fact]
    public async Task A_node_ranked_before_pods_were_held_on_it_weighs_them_by_unit_and_by_their_conflicts()
    {
        var name = Unique("held");
        var copy = await CopyOf(name);
        var web = Request("web.pod", memory: 64L << 20) with { PodId = "web-2" };

        // Ranked first, so its index of pods is made; the copies that hold each pod after carry it on.
        Assert.Equal(0, SpreadRanking.Load(InfoOf(copy, name), web, 1).UnitPods);
        copy.Reserved(name, Request("web.pod", memory: 64L << 20) with { PodId = "web-1" });
        Assert.Equal(1, SpreadRanking.Load(InfoOf(copy, name), web, 1).UnitPods);
        Assert.Null(new ConflictsFilter().Reject(InfoOf(copy, name), web));

        copy.Reserved(name, Request("db.pod", memory: 64L << 20, conflicts: ["web*"]) with { PodId = "db-1" });
        Assert.Equal("runs conflicting db.pod", new ConflictsFilter().Reject(InfoOf(copy, name), web));
        Assert.Equal(1, SpreadRanking.Load(InfoOf(copy, name), web, 1).UnitPods);
    }

    [Fact]
    public async Task A_node_never_seen_up_is_not_listed_down()
    {
        var name = Unique("never");
        await View.Report([new NodeReport(name, null, 1)]);

        Assert.DoesNotContain(name, (await View.Changes(NodeViewVersion.None)).Down);
    }

    private string Unique(string what)
    {
        var name = $"view-{what}-{Guid.NewGuid():N}"[..24];
        names.Add(name);
        return name;
    }

    // A copy made after the view took the first report of each of these nodes (empty, 8 GiB and 4 CPUs free).
    private async Task<NodeViewCopy> CopyOf(params string[] nodes)
    {
        await View.Report([.. nodes.Select(name => new NodeReport(name, Node(name), 1))]);
        var copy = new NodeViewCopy(View);
        await copy.UpdateAskedAfter(System.Diagnostics.Stopwatch.GetTimestamp());
        return copy;
    }

    private static NodeInfo InfoOf(NodeViewCopy copy, string name) => copy.Read(nodes => nodes.Single(n => n.Name == name).Info!);
}
