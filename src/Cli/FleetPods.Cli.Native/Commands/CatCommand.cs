using System.CommandLine;
using System.Text.Json.Nodes;
using FleetPods.Cli.Native.Api;

namespace FleetPods.Cli.Native.Commands;

/// <summary><c>cat UNIT</c>: the unit file as it was submitted.</summary>
internal static class CatCommand
{
    public static Command Create()
    {
        var unit = new Argument<string>("unit") { Description = "A unit name" };
        var command = new Command("cat", "Print a submitted unit file") { unit };
        command.SetApiAction(async (context, cancellationToken) =>
        {
            var name = UnitArguments.ToUnitName(context.Parse.GetValue(unit)!);
            string text;
            try
            {
                text = await context.Api.GetText($"v1/units/{ApiClient.Escape(name)}/file", cancellationToken);
            }
            catch (ApiException ex) when (ApiClient.IsNotFound(ex))
            {
                throw new CliException($"unit {name} not found");
            }

            context.Output.Say(new JsonObject { ["unit"] = name, ["text"] = text }, text.TrimEnd('\n'));
            return ExitCodes.Success;
        });
        return command;
    }
}
