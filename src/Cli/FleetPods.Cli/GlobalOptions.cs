using System.CommandLine;

namespace FleetPods.Cli;

/// <summary>Options every command takes, given before or after the command name.</summary>
public static class GlobalOptions
{
    public const string DefaultEndpoint = LocalRunProtocol.DefaultEndpoint;

    public static Option<string[]> Endpoint { get; } = new("--endpoint")
    {
        Description = $"A fleetpodsd gateway as HOST:PORT; repeat for several (default {DefaultEndpoint}, or $FLEETPODS_ENDPOINT, comma-separated)",
        Recursive = true,
        Arity = ArgumentArity.ZeroOrMore,
    };

    public static Option<OutputFormat> Output { get; } = new("--output", "-o")
    {
        Description = "table (for people) or json (for scripts)",
        Recursive = true,
        DefaultValueFactory = _ => OutputFormat.Table,
    };

    public static Option<TimeSpan> Grace { get; } = new("--grace")
    {
        Description = "How long to wait after SIGTERM before SIGKILL, e.g. 10s, 500ms, 2m",
        DefaultValueFactory = _ => TimeSpan.FromSeconds(10),
        CustomParser = result => Durations.Parse(result),
    };
}
