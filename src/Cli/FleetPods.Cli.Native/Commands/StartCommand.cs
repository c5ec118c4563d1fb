using System.CommandLine;
using System.Globalization;
using FleetPods.Cli.Native.Api;
using FleetPods.Cli.Native.Output;

namespace FleetPods.Cli.Native.Commands;

/// <summary>
/// <c>fleetpods start UNIT|FILE...</c> in one call (<c>POST /v1/units/start</c>): each file goes with its unit and is
/// submitted first, each unit starts or fails alone, and the results print in the order given.
/// </summary>
internal static class StartCommand
{
    public static Command Create()
    {
        var units = new Argument<string[]>("unit") { Description = "Unit names (web, web.pod, web@1.pod) or unit files", Arity = ArgumentArity.OneOrMore };
        var command = new Command("start", "Start units, in one call (a path to a unit file is submitted first)") { units };
        command.SetApiAction((context, cancellationToken) => Run(context, context.Parse.GetValue(units)!, cancellationToken));
        return command;
    }

    private static async Task<int> Run(CommandContext context, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(arguments);
        var failed = false;

        // Each unit asked for, with the path of its file when one goes with it (for its error lines).
        var asked = new List<(string Name, string? Path, string? Text)>();
        foreach (var argument in arguments)
        {
            if (!UnitArguments.IsFile(argument))
            {
                asked.Add((UnitArguments.ToUnitName(argument), null, null));
                continue;
            }

            try
            {
                asked.Add((Path.GetFileName(argument), argument, await File.ReadAllTextAsync(argument, cancellationToken)));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync($"fleetpods: cannot read {argument}: {ex.Message}");
                failed = true;
            }
        }

        if (asked.Count == 0)
        {
            return ExitCodes.Failure;
        }

        var body = ApiClient.Json(json =>
        {
            json.WriteStartObject();
            json.WriteStartArray("units");
            foreach (var (name, _, text) in asked)
            {
                json.WriteStartObject();
                json.WriteString("name", name);
                if (text is not null)
                {
                    json.WriteString("file", text);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        });
        var results = (await context.Api.Call(HttpMethod.Post, "v1/units/start", body, cancellationToken)).Items().ToList();
        for (var i = 0; i < results.Count; i++)
        {
            var result = results[i];
            var path = i < asked.Count ? asked[i].Path : null;
            if (result.Field("status") is { } status)
            {
                if (path is not null && !context.Output.IsJson)
                {
                    context.Output.Say(null, $"Unit {result.Text("name", "")} submitted");
                }

                context.Output.Say(CommandOutput.Node(status), StatusText.Transition(status));

                // A start whose pod could not be launched (its image on no node, a setting its node refused) did not start it.
                failed |= StatusText.HasFailedPod(status);
                continue;
            }

            failed = true;
            var errors = result.Items("errors").ToList();
            if (errors.Count == 0)
            {
                await Console.Error.WriteLineAsync($"fleetpods: {result.Text("error", "the daemon gave no reason")}");
            }

            foreach (var error in errors)
            {
                var line = error.Number("line").ToString(CultureInfo.InvariantCulture);
                await Console.Error.WriteLineAsync(error.Text("key") is { Length: > 0 } key
                    ? $"{path}:{line}: {key}=: {error.Text("message")}"
                    : $"{path}:{line}: {error.Text("message")}");
            }
        }

        return failed ? ExitCodes.Failure : ExitCodes.Success;
    }
}
