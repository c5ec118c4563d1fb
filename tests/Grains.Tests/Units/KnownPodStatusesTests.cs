using FleetPods.Grains.Units;

namespace FleetPods.Grains.Tests.Units;

public sealed class KnownPodStatusesTests
{
    private static PodStatus Status(PodPhase phase, string? node = "node-a") =>
        new("p1", "web.pod", "example.com/busybox", phase, node, phase == PodPhase.Exited ? 0 : null, null, DateTimeOffset.UnixEpoch, null, null);

    [Fact]
    public void A_running_report_that_overtook_the_create_answer_is_kept()
    {
        var known = new KnownPodStatuses();
        known.Take("p1", Status(PodPhase.Running));

        var now = known.Take("p1", Status(PodPhase.Pending));

        Assert.Equal(PodPhase.Running, now!.Phase);
        Assert.True(known.TryGet("p1", out var held));
        Assert.Equal(PodPhase.Running, held.Phase);
    }

    [Theory]
    [InlineData(PodPhase.Pending, null, PodPhase.Pending, "node-a")]
    [InlineData(PodPhase.Pending, "node-a", PodPhase.Preparing, "node-a")]
    [InlineData(PodPhase.Preparing, "node-a", PodPhase.Running, "node-a")]
    [InlineData(PodPhase.Running, "node-a", PodPhase.Exited, "node-a")]
    [InlineData(PodPhase.Pending, null, PodPhase.Failed, null)]
    public void A_pod_that_got_further_replaces_what_was_known(PodPhase before, string? beforeNode, PodPhase after, string? afterNode)
    {
        var known = new KnownPodStatuses();
        known.Take("p1", Status(before, beforeNode));

        var now = known.Take("p1", Status(after, afterNode));

        Assert.Equal((after, afterNode), (now!.Phase, now.NodeName));
    }

    [Fact]
    public void A_later_answer_at_the_same_step_replaces_the_earlier_one()
    {
        var known = new KnownPodStatuses();
        known.Take("p1", Status(PodPhase.Pending, null) with { Reason = "no node has 1T of memory free" });

        var now = known.Take("p1", Status(PodPhase.Pending, null) with { Reason = "no node offers stage1 kvm" });

        Assert.Equal("no node offers stage1 kvm", now!.Reason);
    }

    [Fact]
    public void A_pod_gone_or_forgotten_is_no_longer_known()
    {
        var known = new KnownPodStatuses();
        known.Take("p1", Status(PodPhase.Running));
        known.Take("p2", Status(PodPhase.Running) with { Id = "p2" });

        Assert.Null(known.Take("p1", null));
        known.Forget("p2");

        Assert.False(known.TryGet("p1", out _));
        Assert.False(known.TryGet("p2", out _));
    }
}
