using System.CommandLine;
using FleetPods.Cli.Native;
using FleetPods.Cli.Native.Cert;
using FleetPods.Cli.Native.Commands;

// cert works on files where the CA's key is and talks to no daemon; it gives its own one-line errors.
if (args is ["cert", ..])
{
    return await CertCommand.Run(args);
}

var root = new RootCommand("fleetpods: schedule and run pods on a FleetPods cluster, through fleetpodsd's API");
foreach (var option in GlobalOptions.WithValue)
{
    root.Options.Add(option);
}

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
root.Subcommands.Add(CatManifestCommand.Create());
root.Subcommands.Add(ImageCommands.Create());
root.Subcommands.Add(GarbageCollectCommand.Create());
root.Subcommands.Add(RunCommand.Create(args));
root.Subcommands.Add(CertCommand.Create());

using var interruption = new Interruption();
// "@file" would otherwise be read as a response file, and a pod's argv may start with '@'.
var parse = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
// Signals are the commands' to handle (Interruption): a run must read on to its pod's end after Ctrl-C.
return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, interruption.Token);
