using System.CommandLine;
using System.Globalization;
using FleetPods.Grains;

namespace FleetPods.Cli.Commands;

/// <summary>
/// <c>status UNIT|POD [--wait]</c>: a unit and its pods, or one pod by id (or a unique prefix of it, as rkt took);
/// with --wait, once the pod (every pod of the unit) has ended. It exits 0 whenever it shows the status, whatever the
/// pod's own exit code (shown, as rkt status --wait does); 1 when there is nothing to show or wait for.
/// </summary>
public static class StatusCommand
{
    private static readonly TimeSpan WaitPoll = TimeSpan.FromMilliseconds(100);

    public static Command Create()
    {
        var target = new Argument<string>("unit-or-pod") { Description = "A unit name or a pod id (or a unique prefix of one)" };
        var wait = new Option<bool>("--wait") { Description = "Wait until the pod (every pod of a unit) has ended, then show it (as rkt status --wait)" };
        var command = new Command("status", "Show a unit and its pod, or one pod") { target, wait };
        command.SetClusterAction(async (context, cancellationToken) =>
        {
            var argument = context.Parse.GetValue(target)!;
            var unitGrain = context.Cluster.GetGrain<IUnitGrain>(UnitArguments.ToUnitName(argument));
            var unit = await unitGrain.GetStatus();
            if (unit is not null)
            {
                if (context.Parse.GetValue(wait))
                {
                    unit = await WaitForPods(unitGrain, unit, cancellationToken);
                }

                context.Output.Say(unit, DescribeUnit(unit));
                return 0;
            }

            var podId = await PodReferences.Resolve(context.Cluster, argument)
                ?? throw new CliException($"no unit or pod named '{argument}'");
            var grain = context.Cluster.GetGrain<IPodGrain>(podId);
            var pod = await grain.GetStatus() ?? throw new CliException($"pod {podId} not found");
            while (context.Parse.GetValue(wait) && !pod.HasEnded)
            {
                await Task.Delay(WaitPoll, cancellationToken);
                pod = await grain.GetStatus() ?? throw new CliException($"pod {podId} vanished");
            }
            context.Output.Say(pod, DescribePod(pod));
            return 0;
        });
        return command;
    }

    // Until every pod of the unit has ended; a unit that is loaded or launched but has no pod yet is waited for too.
    private static async Task<UnitStatus> WaitForPods(IUnitGrain grain, UnitStatus unit, CancellationToken cancellationToken)
    {
        if (unit.DesiredState == UnitDesiredState.Inactive && UnitPods.Of(unit).Count == 0)
        {
            throw new CliException($"unit {unit.Name} is inactive and has no pod to wait for (start it first)");
        }

        while (UnitPods.Of(unit) is var pods && (pods.Count == 0 || !pods.All(p => p.HasEnded)))
        {
            await Task.Delay(WaitPoll, cancellationToken);
            unit = await grain.GetStatus() ?? throw new CliException($"unit {unit.Name} was destroyed while waiting for its pod");
        }

        return unit;
    }

    private static string DescribeUnit(UnitStatus unit)
    {
        var lines = new List<string>
        {
            $"Unit: {unit.Name}",
            $"Description: {unit.Description ?? "-"}",
            $"Desired: {Names.Of(unit.DesiredState)}{(unit.IsTemplate ? " (template)" : "")}",
            $"Submitted: {Names.Time(unit.SubmittedAt)}",
        };
        // Every pod of a unit with Count= or Global=true, each as a pod alone is shown.
        foreach (var pod in UnitPods.Of(unit))
        {
            lines.Add(DescribePod(pod));
        }

        return string.Join(Environment.NewLine, lines);
    }

    private static string DescribePod(PodStatus pod) => string.Join(Environment.NewLine,
        $"Pod: {pod.Id}",
        $"Image: {pod.Image}",
        $"Phase: {Names.Of(pod.Phase)}",
        $"Node: {pod.NodeName ?? "-"}",
        $"Exit code: {pod.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "-"}",
        $"Reason: {pod.Reason ?? "-"}",
        $"Created: {Names.Time(pod.CreatedAt)}",
        $"Started: {Names.Time(pod.StartedAt)}",
        $"Finished: {Names.Time(pod.FinishedAt)}");
}
