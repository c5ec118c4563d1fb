namespace FleetPods.Grains.Tests.Cluster;

/// <summary>
/// A node's report of what its runtime really runs corrects the cluster's record: a pod listed running that the
/// node does not run is lost and replaced, a report that never arrived is made good, and a pod the cluster does
/// not know is stopped on the node.
/// </summary>
[Collection(SharedCluster.Name)]
public sealed class NodeReconcileTests(ClusterFixture fixture)
{
    private const string SleepUnit = "[Pod]\nImage=example.com/busybox\nExec=/bin/sleep 1000\n";

    [Fact]
    public async Task A_pod_listed_running_that_its_node_does_not_run_is_marked_lost_and_replaced()
    {
        var unit = fixture.Client.GetGrain<IUnitGrain>("vanishing.pod");
        await unit.Submit("vanishing.pod", SleepUnit + "Count=2\n");
        await unit.Start();
        var running = await Eventually.Until(() => unit.GetStatus(), s => s!.Pods.Count(p => p.Phase == PodPhase.Running) == 2, "two running pods");
        var vanished = running!.Pods[0];
        var node = fixture.Node(vanished.NodeName!);

        // Its process is gone without a word (its exit report was lost, or its record came back from older storage).
        node.Launched.TryRemove(vanished.Id, out _);
        await fixture.Client.GetGrain<INodeGrain>(node.NodeName).ReconcilePods(RunsNow(node));

        var replaced = await Eventually.Until(
            () => unit.GetStatus(),
            s => s!.Pods.Count(p => p.Phase == PodPhase.Running) == 2 && s.Pods.All(p => p.Id != vanished.Id),
            "the vanished pod replaced by a new running one");
        Assert.Equal(2, replaced!.Pods.Count);
        Assert.DoesNotContain(vanished.Id, await fixture.Client.GetGrain<INodeGrain>(node.NodeName).ListPods());
    }

    [Fact]
    public async Task A_pod_marked_lost_by_its_node_says_so_in_its_status()
    {
        var pod = fixture.Client.GetGrain<IPodGrain>("lost-one");
        await pod.Create(PodSpec.ForImage("example.com/busybox", ["/bin/sleep", "1000"]), null, start: true, requiredNode: null);
        var started = await Eventually.Until(() => pod.GetStatus(), s => s!.Phase == PodPhase.Running, "the pod to run");
        var node = fixture.Node(started!.NodeName!);
        node.Launched.TryRemove("lost-one", out _);

        await fixture.Client.GetGrain<INodeGrain>(node.NodeName).ReconcilePods(RunsNow(node));

        var lost = await pod.GetStatus();
        Assert.Equal((PodPhase.Failed, true, PodEndCause.Lost), (lost!.Phase, lost.IsLost, lost.EndCause));
        Assert.DoesNotContain("lost-one", await fixture.Client.GetGrain<INodeGrain>(node.NodeName).ListPods());
    }

    [Fact]
    public async Task A_pod_whose_exit_report_never_arrived_takes_the_phase_its_node_reports()
    {
        var unit = fixture.Client.GetGrain<IUnitGrain>("unheard.pod");
        await unit.Submit("unheard.pod", SleepUnit);
        await unit.Start();
        var pod = (await Eventually.Until(() => unit.GetStatus(), s => s!.Pod!.Phase == PodPhase.Running, "the pod to run"))!.Pod!;
        var node = fixture.Node(pod.NodeName!);
        node.Launched.TryRemove(pod.Id, out _);

        await fixture.Client.GetGrain<INodeGrain>(node.NodeName).ReconcilePods(
            [.. RunsNow(node), new RuntimePod(pod.Id, PodPhase.Exited, 7, null, DateTimeOffset.UtcNow)]);

        var ended = await fixture.Client.GetGrain<IPodGrain>(pod.Id).GetStatus();
        Assert.Equal((PodPhase.Exited, 7, false, PodEndCause.Exited), (ended!.Phase, ended.ExitCode, ended.IsLost, ended.EndCause));
    }

    [Fact]
    public async Task A_pod_whose_out_of_memory_end_was_not_heard_takes_that_cause_from_its_nodes_report()
    {
        var unit = fixture.Client.GetGrain<IUnitGrain>("unheard-oom.pod");
        await unit.Submit("unheard-oom.pod", SleepUnit);
        await unit.Start();
        var pod = (await Eventually.Until(() => unit.GetStatus(), s => s!.Pod!.Phase == PodPhase.Running, "the pod to run"))!.Pod!;
        var node = fixture.Node(pod.NodeName!);
        node.Launched.TryRemove(pod.Id, out _);

        await fixture.Client.GetGrain<INodeGrain>(node.NodeName).ReconcilePods(
            [.. RunsNow(node), new RuntimePod(pod.Id, PodPhase.Failed, null, "out of memory", DateTimeOffset.UtcNow) { OutOfMemory = true }]);

        var ended = await fixture.Client.GetGrain<IPodGrain>(pod.Id).GetStatus();
        Assert.Equal((PodPhase.Failed, PodEndCause.OutOfMemory), (ended!.Phase, ended.EndCause));
    }

    [Fact]
    public async Task A_pod_its_node_runs_but_the_cluster_does_not_know_is_stopped_there()
    {
        var node = fixture.Node(fixture.NodeNames[1]);
        node.Launched["stray-pod"] = PodSpec.ForImage("example.com/busybox", ["/bin/sleep", "1000"]);

        await fixture.Client.GetGrain<INodeGrain>(node.NodeName).ReconcilePods(RunsNow(node));

        Assert.False(node.Launched.ContainsKey("stray-pod"));
    }

    // What the node double runs now, as the node agent reports it.
    private static List<RuntimePod> RunsNow(FakeLocalNode node) =>
        [.. node.Launched.Keys.Select(id => new RuntimePod(id, PodPhase.Running, null, null, DateTimeOffset.UtcNow))];
}
