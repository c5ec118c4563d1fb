using System.CommandLine;
using FleetPods.Grains;

namespace FleetPods.Cli.Commands;

/// <summary><c>cat UNIT</c>: the unit file as it was submitted.</summary>
public static class CatCommand
{
    public static Command Create()
    {
        var unit = new Argument<string>("unit") { Description = "A unit name" };
        var command = new Command("cat", "Print a submitted unit file") { unit };
        command.SetClusterAction(async (context, _) =>
        {
            var name = UnitArguments.ToUnitName(context.Parse.GetValue(unit)!);
            var text = await context.Cluster.GetGrain<IUnitGrain>(name).GetText()
                ?? throw new CliException($"unit {name} not found");
            context.Output.Say(new { unit = name, text }, text.TrimEnd('\n'));
            return 0;
        });
        return command;
    }
}
