using FleetPods.Grains.Tests.Cluster;
using FleetPods.Grains.Tests.Pods;
using static FleetPods.Grains.Tests.Fleet.FleetCluster;

namespace FleetPods.Grains.Tests.Fleet;

/// <summary>
/// A launch on an agent: the node grain hands the pod over and returns, the agent answers once the pod runs (or says
/// why it did not take it), and that answer reaches the pod's grain from its node; only what comes later is reported.
/// </summary>
public sealed class AgentLaunchTests
{
    [Fact]
    public async Task A_pod_runs_on_its_agents_answer_to_the_launch_without_a_report()
    {
        await using var fleet = await FleetCluster.Start("role=server");
        await using var agent = await FakeNodeAgent.Attach(fleet.Client, "agent-a", "role=agent");

        var unit = await fleet.Start("web.pod", pod: "Count=3", fleet: FakeNodeAgent.OnAgents);
        var status = await Until(unit, pods => Running(pods).Count == 3, "three pods running on agent-a");

        Assert.All(status.Pods, p => Assert.Equal("agent-a", p.NodeName));
        Assert.Equal(0, agent.Reports);
    }

    [Fact]
    public async Task A_launch_that_outlasts_the_agents_wait_is_answered_preparing_and_its_running_reported_after()
    {
        await using var fleet = await FleetCluster.Start("role=server");
        await using var agent = await FakeNodeAgent.Attach(fleet.Client, "agent-a", "role=agent");
        agent.AnswersRunning = false;

        var unit = await fleet.Start("web.pod", fleet: FakeNodeAgent.OnAgents);
        await Until(unit, pods => Running(pods).Count == 1, "the pod running on agent-a");

        Assert.Equal(1, agent.Reports);
    }

    [Fact]
    public async Task A_launch_still_preparing_after_the_agents_wait_is_stored_once_the_agent_answers_so_a_server_restart_keeps_it()
    {
        await using var fleet = await FleetCluster.Start("role=server");
        await using var agent = await FakeNodeAgent.Attach(fleet.Client, "agent-a", "role=agent");
        agent.StartsPods = false;
        agent.LaunchGate = new TaskCompletionSource();

        var unit = await fleet.Start("web.pod", fleet: FakeNodeAgent.OnAgents);
        var pod = (await Until(unit, pods => pods.Any(p => p.Phase == PodPhase.Preparing), "the pod handed to agent-a")).Pods.Single();
        await Eventually.Until(() => Task.FromResult(agent.Calls.Any(c => c.Call == nameof(INodeAgent.RunPod))), taken => taken, "agent-a taking the launch");
        agent.LaunchGate.SetResult();

        var stored = await Eventually.Until(() => StoredPod.Read(fleet.Cluster, pod.Id), s => s.Exists, "the pod stored");
        Assert.Equal(PodPhase.Preparing, stored.Phase);
        Assert.Equal("agent-a", stored.NodeName);
    }

    [Fact]
    public async Task A_launch_the_agent_refuses_fails_the_pod_with_the_agents_reason()
    {
        await using var fleet = await FleetCluster.Start("role=server");
        await using var agent = await FakeNodeAgent.Attach(fleet.Client, "agent-a", "role=agent");
        agent.FailsLaunches = true;

        var unit = await fleet.Start("web.pod", fleet: FakeNodeAgent.OnAgents);
        var status = await Until(unit, pods => pods.Any(p => p.Phase == PodPhase.Failed), "the pod failed");

        var pod = status.Pods.Single(p => p.Phase == PodPhase.Failed);
        Assert.Equal("agent-a", pod.NodeName);
        Assert.Contains($"agent-a cannot launch pod {pod.Id}", pod.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_agents_calls_do_not_wait_for_each_other_so_input_an_app_does_not_read_holds_up_no_launch()
    {
        await using var fleet = await FleetCluster.Start("role=server");
        await using var agent = await FakeNodeAgent.Attach(fleet.Client, "agent-a", "role=agent");
        var first = await fleet.Start("reader.pod", fleet: FakeNodeAgent.OnAgents);
        var reader = (await Until(first, pods => Running(pods).Count == 1, "the first pod running")).Pods.Single();

        agent.InputGate = new TaskCompletionSource();
        var input = fleet.Client.GetGrain<INodeGrain>("agent-a").WritePodInput(reader.Id, null, "x"u8.ToArray(), endOfInput: false);
        await Eventually.Until(() => Task.FromResult(agent.Calls.Any(c => c.Call == nameof(INodeAgent.WritePodInput))), taken => taken, "the agent holding the input");

        var second = await fleet.Start("web.pod", fleet: FakeNodeAgent.OnAgents);
        await Until(second, pods => Running(pods).Count == 1, "the second pod running while the first's input waits");

        Assert.False(input.IsCompleted);
        agent.InputGate.SetResult();
        await input;
    }

    [Fact]
    public async Task A_stop_of_a_pod_still_launching_reaches_the_agent_only_after_the_launch_was_answered()
    {
        await using var fleet = await FleetCluster.Start("role=server");
        await using var agent = await FakeNodeAgent.Attach(fleet.Client, "agent-a", "role=agent");
        agent.LaunchGate = new TaskCompletionSource();
        var unit = await fleet.Start("web.pod", fleet: FakeNodeAgent.OnAgents);
        var pod = (await Until(unit, pods => pods.Any(p => p.Phase == PodPhase.Preparing), "the pod handed to agent-a")).Pods.Single();
        await Eventually.Until(() => Task.FromResult(agent.Calls.Any(c => c.Call == nameof(INodeAgent.RunPod))), taken => taken, "agent-a taking the launch");

        var stop = fleet.Client.GetGrain<IPodGrain>(pod.Id).Stop(TimeSpan.Zero);

        // Sent at once, the stop would reach a real agent before the pod does, and the launch would then start it.
        await Task.WhenAny(stop, Task.Delay(TimeSpan.FromSeconds(1)));
        Assert.DoesNotContain(agent.Calls, c => c.Call == nameof(INodeAgent.StopPod));
        agent.LaunchGate.SetResult();
        var stopped = await stop;

        Assert.Equal(PodPhase.Exited, stopped.Phase);
        Assert.Equal([nameof(INodeAgent.RunPod), nameof(INodeAgent.StopPod)], agent.Calls.Where(c => c.PodId == pod.Id).Select(c => c.Call));
    }
}
