using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text;
using FleetPods.Cli.Native.Api;
using FleetPods.Cli.Native.Output;

namespace FleetPods.Cli.Native.Commands;

/// <summary><c>fleetpods submit FILE...</c>: the daemon validates and stores each file (PUT /v1/units/NAME); the command parses nothing.</summary>
internal static class SubmitCommand
{
    public static Command Create()
    {
        var files = new Argument<string[]>("file") { Description = "Unit files (.pod)", Arity = ArgumentArity.OneOrMore };
        var command = new Command("submit", "Validate and store unit files, without loading or starting them") { files };
        command.SetApiAction(async (context, cancellationToken) =>
        {
            var failed = false;
            foreach (var file in context.Parse.GetValue(files)!)
            {
                failed |= !await Submit(context, file, cancellationToken);
            }

            return failed ? ExitCodes.Failure : ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Submits one file; prints its errors (<c>FILE:LINE: KEY=: why</c>) and returns false if it was refused.</summary>
    public static async Task<bool> Submit(CommandContext context, string file, CancellationToken cancellationToken)
    {
        string text;
        try
        {
            text = await File.ReadAllTextAsync(file, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot read {file}: {ex.Message}");
        }

        var name = Path.GetFileName(file);
        try
        {
            var unit = await context.Api.SendJson(HttpMethod.Put, $"v1/units/{ApiClient.Escape(name)}", new StringContent(text, Encoding.UTF8, "text/plain"), cancellationToken);
            context.Output.Say(unit is { } json ? CommandOutput.Node(json) : null, $"Unit {name} submitted");
            return true;
        }
        catch (ApiException ex) when (ex.Status == HttpStatusCode.BadRequest && ex.Body.Items("errors").Any())
        {
            foreach (var error in ex.Body.Items("errors"))
            {
                var line = error.Number("line").ToString(CultureInfo.InvariantCulture);
                await Console.Error.WriteLineAsync(error.Text("key") is { Length: > 0 } key
                    ? $"{file}:{line}: {key}=: {error.Text("message")}"
                    : $"{file}:{line}: {error.Text("message")}");
            }

            return false;
        }
    }
}
