using Microsoft.Extensions.Time.Testing;
using static FleetPods.Grains.Tests.Fleet.FleetCluster;

namespace FleetPods.Grains.Tests.Fleet;

/// <summary>
/// What a unit does as time passes (restart back-off, MachineOf= polling, the retry of a pending pod) on a fake
/// clock: nothing that waits on time happens until the test advances it, and then it happens without a real wait.
/// </summary>
public sealed class UnitClockTests(FakeClockFleetFixture fixture) : IClassFixture<FakeClockFleetFixture>
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(1);

    // UnitGrain's RetryPeriod: how often a unit looks again at a pending pod or a MachineOf= target.
    private static readonly TimeSpan RetryPeriod = TimeSpan.FromSeconds(2);

    // After the first failure (restarted at once), each back-off doubles up to 30 s.
    private static readonly TimeSpan[] BackOffs = [.. new[] { 1, 2, 4, 8, 16, 30, 30 }.Select(s => TimeSpan.FromSeconds(s))];

    private FleetCluster Fleet => fixture.Fleet;

    private FakeTimeProvider Clock => fixture.Clock;

    [Fact]
    public async Task Restart_back_off_doubles_up_to_30_s_and_a_pod_restarts_not_before_its_delay_and_at_it()
    {
        var unit = await Fleet.Start("backoff.pod", pod: "Restart=on-failure", fleet: $"MachineID={fixture.First}");
        var pod = Running((await Until(unit, pods => Running(pods).Count == 1, "the first pod running")).Pods).Single();

        pod = await FailAndRestartAtOnce(unit, pod);
        foreach (var delay in BackOffs)
        {
            await Fleet.Machine(pod.NodeName!).Exit(pod.Id, 1);
            await AssertStillEnded(unit, pod);
            Clock.Advance(delay - Tick);
            await AssertStillEnded(unit, pod);
            Clock.Advance(Tick);
            pod = await RestartedFrom(unit, pod, $"the restart after {delay.TotalSeconds} s");
        }

        await unit.Destroy(TimeSpan.Zero);
    }

    [Fact]
    public async Task A_pod_that_ran_10_s_before_failing_resets_the_back_off()
    {
        var unit = await Fleet.Start("stable.pod", pod: "Restart=always", fleet: $"MachineID={fixture.First}");
        var pod = Running((await Until(unit, pods => Running(pods).Count == 1, "the first pod running")).Pods).Single();
        pod = await FailAndRestartAtOnce(unit, pod);
        foreach (var delay in BackOffs.Take(2))
        {
            await Fleet.Machine(pod.NodeName!).Exit(pod.Id, 1);
            await AssertStillEnded(unit, pod);
            Clock.Advance(delay);
            pod = await RestartedFrom(unit, pod, $"the restart after {delay.TotalSeconds} s");
        }

        // The next back-off would be 4 s, then 8 s; a run of 10 s starts it again at 1 s.
        Clock.Advance(TimeSpan.FromSeconds(10));
        pod = await FailAndRestartAtOnce(unit, pod);
        await Fleet.Machine(pod.NodeName!).Exit(pod.Id, 1);
        await AssertStillEnded(unit, pod);
        Clock.Advance(TimeSpan.FromSeconds(1));
        await RestartedFrom(unit, pod, "the restart after 1 s");

        await unit.Destroy(TimeSpan.Zero);
    }

    [Fact]
    public async Task Restart_on_failure_restarts_a_failed_pod_on_its_node_and_leaves_a_clean_exit_alone()
    {
        var unit = await Fleet.Start("flaky.pod", pod: "Restart=on-failure");
        var first = Running((await Until(unit, pods => Running(pods).Count == 1, "the first pod running")).Pods).Single();

        var second = await FailAndRestartAtOnce(unit, first);
        await Fleet.Machine(second.NodeName!).Exit(second.Id, 0);
        Clock.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(first.NodeName, second.NodeName);
        var ended = await AssertStillEnded(unit, second);
        Assert.Equal((PodPhase.Exited, 0), (ended.Phase, ended.ExitCode));
        await unit.Destroy(TimeSpan.Zero);
    }

    [Fact]
    public async Task A_MachineOf_follower_moves_to_its_targets_new_node_when_its_poll_comes_due()
    {
        var target = await Fleet.Start("leader.pod", fleet: $"MachineID={fixture.First}");
        await Until(target, pods => Running(pods).Count == 1, "the target running");
        var follower = await Fleet.Start("follower.pod", fleet: "MachineOf=leader.pod");
        var beside = await Until(follower, pods => Running(pods).Count == 1, "the follower running");
        Assert.Equal(fixture.First, beside.Pod!.NodeName);

        await target.Submit("leader.pod", $"[Pod]\nImage=example.com/busybox\nExec=/bin/sleep 1000\n[X-Fleet]\nMachineID={fixture.Second}\n");
        await Until(target, pods => Running(pods) is [{ } pod] && pod.NodeName == fixture.Second, "the target on its new node");

        // Nothing tells a follower that its target moved: it stays until its next look, which needs time to pass.
        Assert.Equal(fixture.First, (await follower.GetStatus())!.Pod!.NodeName);
        Clock.Advance(RetryPeriod);
        await Until(follower, pods => Running(pods) is [{ } pod] && pod.NodeName == fixture.Second, "the follower on the target's new node");

        await follower.Destroy(TimeSpan.Zero);
        await target.Destroy(TimeSpan.Zero);
    }

    [Fact]
    public async Task A_pending_pod_is_placed_by_its_units_retry_timer_once_capacity_is_freed()
    {
        var hog = await Fleet.Start("hog.pod", pod: "Memory=6G", fleet: $"MachineID={fixture.Second}");
        await Until(hog, pods => Running(pods).Count == 1, "the first big pod running");
        var waiter = await Fleet.Start("waiter.pod", pod: "Memory=6G", fleet: $"MachineID={fixture.Second}");
        Assert.Equal(PodPhase.Pending, (await waiter.GetStatus())!.Pod!.Phase);

        // Freeing the node tells nobody; the waiting unit looks again when its retry timer comes due.
        await hog.Destroy(TimeSpan.Zero);
        Assert.Equal(PodPhase.Pending, (await waiter.GetStatus())!.Pod!.Phase);
        Clock.Advance(RetryPeriod);
        var placed = await Until(waiter, pods => Running(pods).Count == 1, "the waiting pod placed by its retry");

        Assert.Equal(fixture.Second, placed.Pod!.NodeName);
        await waiter.Destroy(TimeSpan.Zero);
    }

    // The clock stands still, so the unit's retry timer never comes due: each step of the rollout (one pod at a time,
    // MaxUnavailable=1) is set off by a replacement that tells its unit it runs.
    [Fact]
    public async Task A_rollout_moves_on_as_each_replacement_runs_without_the_units_retry_timer()
    {
        var unit = await Fleet.Start("rollout.pod", pod: "Count=3");
        var before = await Until(unit, pods => Running(pods).Count == 3, "three pods running");

        var changed = await unit.Submit("rollout.pod", "[Pod]\nImage=example.com/busybox\nExec=/bin/sleep 2000\nCount=3\n");

        Assert.True(changed.Succeeded, string.Join("; ", changed.Errors));
        await Until(unit, pods => Running(pods).Count == 3 && pods.All(p => before.Pods.All(old => old.Id != p.Id)), "three new pods running");
        await unit.Destroy(TimeSpan.Zero);
    }

    // A failure whose back-off is already due: the pod is replaced without the clock moving.
    private async Task<PodStatus> FailAndRestartAtOnce(IUnitGrain unit, PodStatus pod)
    {
        await Fleet.Machine(pod.NodeName!).Exit(pod.Id, 1);
        return await RestartedFrom(unit, pod, "the restart at once");
    }

    private static async Task<PodStatus> RestartedFrom(IUnitGrain unit, PodStatus ended, string what)
    {
        var status = await Until(unit, pods => Running(pods) is [{ } pod] && pod.Id != ended.Id, what);
        var restarted = Running(status.Pods).Single();
        Assert.Equal(ended.NodeName, restarted.NodeName);
        return restarted;
    }

    // Load reconciles the unit before it answers, so an ended pod still listed is one the unit chose not to restart yet.
    // It also sets the unit's timer for the restart before the test moves the clock: a reconcile that read the clock
    // just before a move would set a later one, which the earliest wake-up then ignores.
    private static async Task<PodStatus> AssertStillEnded(IUnitGrain unit, PodStatus pod)
    {
        var status = await unit.Load();
        var only = Assert.Single(status.Pods);
        Assert.Equal(pod.Id, only.Id);
        Assert.True(only.HasEnded, $"pod {pod.Id} should have ended: {only}");
        return only;
    }
}
