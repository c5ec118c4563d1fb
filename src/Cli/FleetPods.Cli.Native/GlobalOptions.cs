using System.CommandLine;
using FleetPods.Cli.Native.Output;

namespace FleetPods.Cli.Native;

/// <summary>Options every command takes, given before or after the command name.</summary>
internal static class GlobalOptions
{
    public const string DefaultEndpoint = "localhost:30443";

    public static Option<string[]> Endpoint { get; } = new("--endpoint")
    {
        Description = $"A fleetpodsd API as HOST:PORT; repeat for several, the first that answers is used (default {DefaultEndpoint}, or $FLEETPODS_ADDR, comma-separated)",
        Recursive = true,
        Arity = ArgumentArity.ZeroOrMore,
    };

    public static Option<OutputFormat> Output { get; } = new("--output", "-o")
    {
        Description = "table (for people) or json (for scripts)",
        Recursive = true,
        DefaultValueFactory = _ => OutputFormat.Table,
    };

    public static Option<string?> ClientCertificate { get; } = new("--client-cert")
    {
        Description = "PEM client certificate for HTTPS (default $FLEETPODS_CLIENT_CERT; root's /var/lib/fleetpods/pki/admin.crt)",
        Recursive = true,
    };

    public static Option<string?> ClientKey { get; } = new("--client-key")
    {
        Description = "PEM key of --client-cert (default $FLEETPODS_CLIENT_KEY; root's /var/lib/fleetpods/pki/admin.key)",
        Recursive = true,
    };

    public static Option<string?> CaCertificate { get; } = new("--ca-cert")
    {
        Description = "PEM certificate of the cluster CA the server's certificate must chain to (default $FLEETPODS_CA_CERT; root's /var/lib/fleetpods/pki/ca.crt)",
        Recursive = true,
    };

    public static Option<TimeSpan> Grace { get; } = new("--grace")
    {
        Description = "How long to wait after SIGTERM before SIGKILL, e.g. 10s, 500ms, 2m",
        DefaultValueFactory = _ => TimeSpan.FromSeconds(10),
        CustomParser = Durations.Parse,
    };

    /// <summary>The options that come before or around a command, with a value each (for <c>run</c>'s own reading of its words).</summary>
    public static IReadOnlyList<Option> WithValue { get; } = [Endpoint, Output, ClientCertificate, ClientKey, CaCertificate];
}
