using System.CommandLine;
using FleetPods.Grains;

namespace FleetPods.Cli.Commands;

/// <summary><c>fleetpods submit FILE...</c>: the unit grain validates and stores each file; the CLI parses nothing.</summary>
public static class SubmitCommand
{
    public static Command Create()
    {
        var files = new Argument<string[]>("file") { Description = "Unit files (.pod)", Arity = ArgumentArity.OneOrMore };
        var command = new Command("submit", "Validate and store unit files, without loading or starting them") { files };
        command.SetClusterAction(async (context, cancellationToken) =>
        {
            var failed = false;
            foreach (var file in context.Parse.GetValue(files)!)
            {
                failed |= !await Submit(context, file, cancellationToken);
            }

            return failed ? CommandRunner.Failure : 0;
        });
        return command;
    }

    /// <summary>Submits one file; prints its errors and returns false if it was refused.</summary>
    public static async Task<bool> Submit(CommandContext context, string file, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        string text;
        try
        {
            text = await File.ReadAllTextAsync(file, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot read {file}: {ex.Message}");
        }

        var result = await context.Cluster.GetGrain<IUnitGrain>(Path.GetFileName(file)).Submit(file, text);
        if (!result.Succeeded)
        {
            foreach (var error in result.Errors)
            {
                await Console.Error.WriteLineAsync(error.ToString());
            }

            return false;
        }

        context.Output.Say(result, $"Unit {result.UnitName} submitted");
        return true;
    }
}
