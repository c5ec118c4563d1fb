using System.CommandLine;
using FleetPods.Cli;
using FleetPods.Cli.Commands;

var root = new RootCommand("fleetpods: schedule and run pods on a FleetPods cluster")
{
    GlobalOptions.Endpoint,
    GlobalOptions.Output,
};
root.Subcommands.Add(SubmitCommand.Create());
foreach (var command in UnitStateCommands.Create())
{
    root.Subcommands.Add(command);
}

foreach (var command in ListCommands.Create())
{
    root.Subcommands.Add(command);
}

root.Subcommands.Add(StopCommand.Create());
root.Subcommands.Add(StatusCommand.Create());
root.Subcommands.Add(EnterCommand.Create());
root.Subcommands.Add(RmCommand.Create());
root.Subcommands.Add(CatCommand.Create());
root.Subcommands.Add(ImageCommands.Create());
root.Subcommands.Add(GarbageCollectCommand.Create());
root.Subcommands.Add(RunCommand.Create());

// "@file" would otherwise be read as a response file, and a pod's argv may start with '@'.
return await root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null }).InvokeAsync();
