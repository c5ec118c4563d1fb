using FleetPods.Grains.Scheduling;
using FleetPods.Grains.Tests.Cluster;
using Microsoft.Extensions.Logging.Abstractions;
using static FleetPods.Grains.Tests.Scheduling.SchedulingData;

namespace FleetPods.Grains.Tests.Scheduling;

/// <summary>A silo's node reports on their way to the node view: together, the latest of each node, none lost to a failed call.</summary>
public sealed class NodeReportSenderTests
{
    [Fact]
    public async Task Reports_of_many_nodes_made_while_a_call_is_in_flight_go_in_few_calls_with_each_nodes_latest()
    {
        const int Nodes = 600;
        var view = new RecordingNodeView(answeredByTest: true);
        using var sender = new NodeReportSender(view, NullLogger<NodeReportSender>.Instance);
        var first = sender.Send(Report("lone", 1));
        await Eventually.Until(() => Task.FromResult(view.CallCount), n => n == 1, "the lone report's call");

        List<Task> sent = [];
        for (var i = 0; i < Nodes; i++)
        {
            sent.Add(sender.Send(Report($"node-{i}", 2)));
            sent.Add(sender.Send(Report($"node-{i}", 3)));

            // Made earlier, sent late: it must not undo the later one.
            sent.Add(sender.Send(Report($"node-{i}", 1)));
        }

        for (var call = 0; call < 1 + ((Nodes + NodeReportSender.MaxBatch - 1) / NodeReportSender.MaxBatch); call++)
        {
            view.Answer(take: true);
        }

        await Task.WhenAll([first, .. sent]).WaitAsync(TimeSpan.FromSeconds(30));

        // The lone report went at once; the 1,800 made behind it went as 600 reports in three calls of at most 256.
        Assert.Equal([1, 256, 256, 88], view.Calls.Select(c => c.Length));
        Assert.All(Enumerable.Range(0, Nodes), i => Assert.Equal(3, view.Taken[$"node-{i}"].Sequence));
    }

    [Fact]
    public async Task A_failed_call_is_told_to_its_waiters_and_its_reports_are_sent_again_behind_each_nodes_later_one()
    {
        var view = new RecordingNodeView(answeredByTest: true);
        using var sender = new NodeReportSender(view, NullLogger<NodeReportSender>.Instance);
        var opener = sender.Send(Report("opener", 1));
        await Eventually.Until(() => Task.FromResult(view.CallCount), n => n == 1, "the opener's call");
        var failed = sender.Send(Report("changed-since", 1));
        var alone = sender.Send(Report("unchanged", 1));
        view.Answer(take: true);
        await opener.WaitAsync(TimeSpan.FromSeconds(30));
        await Eventually.Until(() => Task.FromResult(view.CallCount), n => n == 2, "the call that fails");
        var later = sender.Send(Report("changed-since", 2));

        view.Answer(take: false);
        await Assert.ThrowsAsync<SiloUnavailableException>(() => failed);
        await Assert.ThrowsAsync<SiloUnavailableException>(() => alone);

        // Sent again after a back-off, to the view's next activation, with the later report in place of the failed one.
        view.Answer(take: true);
        await later.WaitAsync(TimeSpan.FromSeconds(30));
        var taken = await Eventually.Until(() => Task.FromResult(view.Taken), t => t.ContainsKey("unchanged"), "the failed call's reports sent again");
        Assert.Equal(2, taken["changed-since"].Sequence);
        Assert.Equal(1, taken["unchanged"].Sequence);
        Assert.Equal(["changed-since", "unchanged"], view.Calls[2].Select(r => r.Name).Order(StringComparer.Ordinal));
        Assert.Equal(3, view.CallCount);
    }

    [Fact]
    public async Task Reports_keep_being_sent_again_while_the_view_fails_and_arrive_once_it_takes_them()
    {
        var view = new RecordingNodeView(answeredByTest: true);
        using var sender = new NodeReportSender(view, NullLogger<NodeReportSender>.Instance);
        sender.Send(Report("patient", 7)).Ignore();
        for (var call = 1; call <= 3; call++)
        {
            await Eventually.Until(() => Task.FromResult(view.CallCount), n => n == call, $"call {call}");
            view.Answer(take: false);
        }

        view.Answer(take: true);
        var taken = await Eventually.Until(() => Task.FromResult(view.Taken), t => t.ContainsKey("patient"), "the report taken at last");
        Assert.Equal(7, taken["patient"].Sequence);
    }

    private static NodeReport Report(string name, long sequence) => new(name, Node(name, freeMemory: sequence << 30), sequence);
}
