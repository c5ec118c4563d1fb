using System.CommandLine;

namespace FleetPods.Cli;

/// <summary>Runs a command's body against the cluster and turns every expected failure into one line on stderr.</summary>
public static class CommandRunner
{
    public const int Failure = 1;

    public static void SetClusterAction(this Command command, Func<CommandContext, CancellationToken, Task<int>> body)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                var endpoints = parse.GetValue(GlobalOptions.Endpoint) is { Length: > 0 } given
                    ? given
                    : Environment.GetEnvironmentVariable("FLEETPODS_ENDPOINT") is { Length: > 0 } env
                        ? env.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                        : [GlobalOptions.DefaultEndpoint];
                await using var connection = await ClusterConnection.Open(endpoints, cancellationToken);
                var context = new CommandContext(parse, connection.Client, new Output(parse.GetValue(GlobalOptions.Output)));
                return await body(context, cancellationToken);
            }
            catch (Exception ex) when (ExpectedFailures.Describe(ex) is { } line)
            {
                await Console.Error.WriteLineAsync($"fleetpods: {line}");
                return Failure;
            }
            catch (OperationCanceledException)
            {
                return 130;
            }
            catch (Exception ex)
            {
                // Anything else the cluster throws is still one line for a person, not a stack trace.
                await Console.Error.WriteLineAsync($"fleetpods: the cluster failed the request: {ex.Message.Split('\n')[0]}");
                return Failure;
            }
        });
    }
}
